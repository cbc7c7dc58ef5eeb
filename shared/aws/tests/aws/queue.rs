use bc_aws::provision::MAX_RECEIVE_COUNT;
use bc_core::ports::Queue;

use crate::fixtures::adapters;

#[tokio::test]
async fn send_receive_release_ack() {
    let queue = adapters("queue").await.queue;
    assert!(queue.receive(10).await.expect("receive").is_empty());
    queue.send("task-1").await.expect("send");
    let got = queue.receive(10).await.expect("receive");
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].body.as_str(), got[0].attempts), ("task-1", 1));
    assert!(queue.receive(10).await.expect("receive").is_empty(), "invisible while held");

    queue.release(&got[0], 0).await.expect("release");
    let again = queue.receive(10).await.expect("receive");
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id.as_str(), again[0].attempts), (got[0].id.as_str(), 2));
    queue.ack(&again[0]).await.expect("ack");
    assert!(queue.receive(10).await.expect("receive").is_empty(), "acked is gone");
    assert_eq!(queue.dead_letter_count().await.expect("count"), 0);
}

#[tokio::test]
async fn a_message_that_keeps_failing_lands_in_the_dead_letter_queue() {
    let queue = adapters("queue-dlq").await.queue;
    queue.send("poison").await.expect("send");
    for attempt in 1..=MAX_RECEIVE_COUNT {
        let got = queue.receive(1).await.expect("receive");
        assert_eq!(got.len(), 1, "attempt {attempt}");
        assert_eq!(got[0].attempts, attempt);
        queue.release(&got[0], 0).await.expect("release");
    }
    assert!(queue.receive(1).await.expect("receive").is_empty(), "moved on the next receive");
    assert_eq!(queue.dead_letter_count().await.expect("count"), 1);
}
