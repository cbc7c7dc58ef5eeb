//! Pre and post hooks: a local command (`sh -c` on unix, `cmd /C` elsewhere) with a timeout; on
//! timeout its whole process group is killed. The last 4 KiB of its output (stdout then stderr)
//! is kept.

use std::process::Stdio;
use std::time::Duration;

use bc_api_types::{HookOutcome, JobHook};
use tokio::io::AsyncReadExt;

pub const OUTPUT_TAIL: usize = 4096;

fn tail(bytes: &[u8]) -> String {
    let start = bytes.len().saturating_sub(OUTPUT_TAIL);
    let mut s = String::from_utf8_lossy(&bytes[start..]).into_owned();
    // Lossy decoding of a cut multi-byte character may grow it past the limit.
    while s.len() > OUTPUT_TAIL {
        s.remove(0);
    }
    s
}

/// Runs one hook to its end or its timeout.
pub async fn run_hook(hook: &JobHook) -> HookOutcome {
    let mut cmd = if cfg!(unix) {
        let mut c = tokio::process::Command::new("sh");
        c.arg("-c").arg(&hook.script);
        c
    } else {
        let mut c = tokio::process::Command::new("cmd");
        c.arg("/C").arg(&hook.script);
        c
    };
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return HookOutcome {
                hook_id: hook.id.clone(),
                exit_code: None,
                timed_out: false,
                output: format!("cannot start the hook: {e}"),
            };
        }
    };
    let pid = child.id();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let read_out = async move {
        let mut buf = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_end(&mut buf).await;
        }
        buf
    };
    let read_err = async move {
        let mut buf = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_end(&mut buf).await;
        }
        buf
    };
    let out_task = tokio::spawn(read_out);
    let err_task = tokio::spawn(read_err);
    let timeout = Duration::from_secs(u64::from(hook.timeout_seconds.max(1)));
    let (exit_code, timed_out) = match tokio::time::timeout(timeout, child.wait()).await {
        Ok(Ok(status)) => (status.code(), false),
        Ok(Err(_)) => (None, false),
        Err(_) => {
            kill_group(pid);
            let _ = child.kill().await;
            (None, true)
        }
    };
    // Children of the hook that outlive it could keep the pipes open: do not wait on them forever.
    let grace = Duration::from_secs(2);
    let mut output = tokio::time::timeout(grace, out_task).await.ok().and_then(Result::ok).unwrap_or_default();
    let err = tokio::time::timeout(grace, err_task).await.ok().and_then(Result::ok).unwrap_or_default();
    output.extend_from_slice(&err);
    let mut text = tail(&output);
    if timed_out {
        if text.len() + 64 > OUTPUT_TAIL {
            text = tail(&text.as_bytes()[64.min(text.len())..]);
        }
        text.push_str(&format!("\n[killed after {} s]", hook.timeout_seconds));
    }
    HookOutcome { hook_id: hook.id.clone(), exit_code, timed_out, output: text }
}

#[cfg(unix)]
fn kill_group(pid: Option<u32>) {
    if let Some(pid) = pid {
        // SAFETY: plain kill(2) on the process group the hook leads (process_group(0)).
        unsafe {
            libc::kill(-(pid as i32), libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(_pid: Option<u32>) {}

/// Whether a hook succeeded.
pub fn succeeded(o: &HookOutcome) -> bool {
    !o.timed_out && o.exit_code == Some(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bc_api_types::HookType;

    fn hook(script: &str, timeout: u32) -> JobHook {
        JobHook {
            id: "hk1".into(),
            hook_type: HookType::Pre,
            script: script.into(),
            timeout_seconds: timeout,
            fail_on_error: true,
        }
    }

    #[tokio::test]
    async fn output_exit_code_and_timeout() {
        let o = run_hook(&hook("echo hello; echo oops >&2; exit 3", 10)).await;
        assert_eq!(o.exit_code, Some(3));
        assert!(!o.timed_out);
        assert!(o.output.contains("hello") && o.output.contains("oops"), "{o:?}");
        assert!(!succeeded(&o));

        let o = run_hook(&hook("true", 10)).await;
        assert!(succeeded(&o));

        let started = std::time::Instant::now();
        let o = run_hook(&hook("echo started; sleep 30; echo never", 1)).await;
        assert!(o.timed_out);
        assert_eq!(o.exit_code, None);
        assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
        assert!(o.output.contains("started") && !o.output.contains("never"), "{o:?}");

        let o = run_hook(&hook("head -c 20000 /dev/zero | tr '\\0' x; echo END", 10)).await;
        assert!(o.output.len() <= OUTPUT_TAIL);
        assert!(o.output.ends_with("END\n"));
    }
}
