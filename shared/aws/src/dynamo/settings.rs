//! [`SettingsRepo`]: string settings, all in the `SETTINGS` partition.

use async_trait::async_trait;
use bc_core::ports::PortResult;
use bc_core::settings::repo::SettingsRepo;

use super::DynamoStore;
use super::items::{SETTING_VALUE, get_s, s, setting_key};
use super::schema::ENTITY;

#[async_trait]
impl SettingsRepo for DynamoStore {
    async fn get_setting(&self, key: &str) -> PortResult<Option<String>> {
        match self.get(setting_key(key), "GetItem (get_setting)").await? {
            Some(item) => Ok(Some(get_s(&item, SETTING_VALUE)?.to_string())),
            None => Ok(None),
        }
    }

    async fn put_setting(&self, key: &str, value: &str) -> PortResult<()> {
        let mut item = setting_key(key);
        item.insert(ENTITY.into(), s("setting"));
        item.insert("key".into(), s(key));
        item.insert(SETTING_VALUE.into(), s(value));
        self.put(item, None, "PutItem (put_setting)").await?;
        Ok(())
    }
}
