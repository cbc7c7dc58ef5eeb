use bc_core::ports::Blobs;

use crate::fixtures::adapters;

#[tokio::test]
async fn blobs_round_trip_and_missing_is_none() {
    let blobs = adapters("blobs").await.blobs;
    for key in ["raw/m1.eml", "attachments/m1/report 2025 (1).pdf", "odd/ünïcode+plus%percent"] {
        blobs.put(key, key.as_bytes().to_vec(), "application/octet-stream").await.expect("put");
        assert_eq!(blobs.get(key).await.expect("get").as_deref(), Some(key.as_bytes()), "{key}");
    }
    blobs.put("raw/m1.eml", b"second".to_vec(), "message/rfc822").await.expect("overwrite");
    assert_eq!(blobs.get("raw/m1.eml").await.expect("get").as_deref(), Some(&b"second"[..]));
    blobs.delete("raw/m1.eml").await.expect("delete");
    assert_eq!(blobs.get("raw/m1.eml").await.expect("get"), None);
    blobs.delete("raw/m1.eml").await.expect("deleting a missing key is fine");
    assert_eq!(blobs.get("never/written").await.expect("get"), None);
}

#[tokio::test]
async fn a_30_mb_blob_survives() {
    let blobs = adapters("blobs-big").await.blobs;
    let big: Vec<u8> = (0..30 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    blobs.put("raw/big.eml", big.clone(), "message/rfc822").await.expect("put");
    let back = blobs.get("raw/big.eml").await.expect("get").expect("present");
    assert_eq!(back.len(), big.len());
    assert!(back == big);
}
