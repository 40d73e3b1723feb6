//! The one Admin API call rust-rdkafka does not wrap: ListConsumerGroupOffsets (OffsetFetch for
//! *another* group, all topics). This is the only `unsafe` in Warren; it is kept to one
//! function that owns every librdkafka object it creates and copies results out before
//! destroying them.
//!
//! librdkafka accepts one group per request, so requests for many groups are put in flight
//! together on one private queue (bounded by `IN_FLIGHT`) and answered as they arrive.

use std::ffi::{CStr, CString, c_void};
use std::ptr;
use std::time::{Duration, Instant};

use rdkafka::bindings as rd;
use rdkafka::client::Client;
use rdkafka::client::ClientContext;

const IN_FLIGHT: usize = 64;

/// Committed offsets of one group: (topic, partition, offset).
pub(crate) type GroupOffsets = Vec<(String, i32, i64)>;

/// Fetches the committed offsets of every group in `groups`. A group whose request failed gets
/// an `Err` with librdkafka's message.
pub(crate) fn list_group_offsets<C: ClientContext>(
    client: &Client<C>,
    groups: &[String],
    timeout: Duration,
) -> Vec<Result<GroupOffsets, String>> {
    let mut out: Vec<Result<GroupOffsets, String>> = groups
        .iter()
        .map(|_| Err("no answer".to_string()))
        .collect();
    let deadline = Instant::now() + timeout;
    let rk = client.native_ptr();
    // SAFETY: `rk` is a live client handle for the duration of this call (we borrow `client`).
    // The queue is created and destroyed here; every event polled from it is destroyed after
    // its data has been copied out.
    unsafe {
        let queue = rd::rd_kafka_queue_new(rk);
        for chunk_start in (0..groups.len()).step_by(IN_FLIGHT) {
            let chunk = chunk_start..(chunk_start + IN_FLIGHT).min(groups.len());
            let mut pending = 0usize;
            for i in chunk.clone() {
                let Ok(name) = CString::new(groups[i].as_str()) else {
                    out[i] = Err("group name contains a NUL byte".into());
                    continue;
                };
                let options = rd::rd_kafka_AdminOptions_new(
                    rk,
                    rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
                );
                let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
                let mut errstr = [0 as std::ffi::c_char; 256];
                rd::rd_kafka_AdminOptions_set_request_timeout(
                    options,
                    ms,
                    errstr.as_mut_ptr(),
                    errstr.len(),
                );
                // The index travels with the request so an event-level error finds its group.
                rd::rd_kafka_AdminOptions_set_opaque(options, i as *mut c_void);
                let request = rd::rd_kafka_ListConsumerGroupOffsets_new(name.as_ptr(), ptr::null());
                let mut requests = [request];
                rd::rd_kafka_ListConsumerGroupOffsets(rk, requests.as_mut_ptr(), 1, options, queue);
                rd::rd_kafka_ListConsumerGroupOffsets_destroy(request);
                rd::rd_kafka_AdminOptions_destroy(options);
                pending += 1;
            }
            while pending > 0 {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                let ev =
                    rd::rd_kafka_queue_poll(queue, left.as_millis().min(i32::MAX as u128) as i32);
                if ev.is_null() {
                    break;
                }
                let result = rd::rd_kafka_event_ListConsumerGroupOffsets_result(ev);
                if !result.is_null() {
                    pending -= 1;
                    let index = rd::rd_kafka_event_opaque(ev) as usize;
                    if let Some(slot) = out.get_mut(index) {
                        *slot = read_result(ev, result);
                    }
                }
                rd::rd_kafka_event_destroy(ev);
            }
        }
        rd::rd_kafka_queue_destroy(queue);
    }
    out
}

/// Copies one event's answer out. Caller guarantees `ev` and `result` are live.
unsafe fn read_result(
    ev: *mut rd::rd_kafka_event_t,
    result: *const rd::rd_kafka_ListConsumerGroupOffsets_result_t,
) -> Result<GroupOffsets, String> {
    // SAFETY: per the caller's guarantee; all pointers read here are owned by `ev`.
    unsafe {
        if rd::rd_kafka_event_error(ev) != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            return Err(cstr(rd::rd_kafka_event_error_string(ev)));
        }
        let mut count = 0usize;
        let groups = rd::rd_kafka_ListConsumerGroupOffsets_result_groups(result, &mut count);
        let mut offsets = Vec::new();
        for g in 0..count {
            let group = *groups.add(g);
            let error = rd::rd_kafka_group_result_error(group);
            if !error.is_null() {
                return Err(cstr(rd::rd_kafka_error_string(error)));
            }
            let list = rd::rd_kafka_group_result_partitions(group);
            if list.is_null() {
                continue;
            }
            let n = usize::try_from((*list).cnt).unwrap_or(0);
            for e in 0..n {
                let elem = &*(*list).elems.add(e);
                // -1001 (INVALID): no committed offset for this partition.
                if elem.err != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR
                    || elem.offset < 0
                {
                    continue;
                }
                offsets.push((cstr(elem.topic), elem.partition, elem.offset));
            }
        }
        Ok(offsets)
    }
}

/// Copies a C string (null → empty).
unsafe fn cstr(p: *const std::ffi::c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: librdkafka returns NUL-terminated strings that live as long as their event.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}
