//! Topic ids by name, for naming the topics of KIP-848 assignments (which carry ids only),
//! and for telling a recreated offsets topic from the one read before (storage's `Origin`).
//! librdkafka's metadata API does not expose ids and rust-rdkafka does not wrap
//! DescribeTopics, so this calls `rd_kafka_DescribeTopics` directly, once per metadata
//! refresh, for every topic the refresh found. Like `admin_ffi.rs`, the function owns every
//! librdkafka object it creates and copies results out before destroying them.

use std::ffi::{CStr, CString, c_char};
use std::time::{Duration, Instant};

use rdkafka::bindings as rd;
use rdkafka::client::{Client, ClientContext};
use tokio_util::sync::CancellationToken;
use warren_core::model::TopicId;

/// How long one wait for the answer lasts before cancellation is looked at again.
const SLICE_MS: i32 = 100;

/// Ids of `topics`, as many as the broker answered; a failed request (e.g. a broker older
/// than Kafka 2.8, whose topics have no ids, or a missing Describe permission) gives an
/// error with librdkafka's message. Returns at once when `cancel` fires, so a broker that
/// never answers cannot hold up a shutdown for the request's timeout.
pub(super) fn describe_topic_ids<C: ClientContext>(
    client: &Client<C>,
    topics: &[String],
    timeout: Duration,
    cancel: &CancellationToken,
) -> Result<Vec<(TopicId, String)>, String> {
    let names: Vec<CString> = topics
        .iter()
        .filter_map(|t| CString::new(t.as_str()).ok())
        .collect();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut pointers: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
    let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
    let rk = client.native_ptr();
    // SAFETY: `rk` is a live client handle for the duration of this call (we borrow `client`);
    // `names` outlives the collection, which librdkafka copies the names into. The queue,
    // options and collection are destroyed here, and the one event after copying out of it.
    unsafe {
        let queue = rd::rd_kafka_queue_new(rk);
        let options = rd::rd_kafka_AdminOptions_new(
            rk,
            rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBETOPICS,
        );
        let mut errstr = [0 as c_char; 256];
        rd::rd_kafka_AdminOptions_set_request_timeout(
            options,
            ms,
            errstr.as_mut_ptr(),
            errstr.len(),
        );
        let collection =
            rd::rd_kafka_TopicCollection_of_topic_names(pointers.as_mut_ptr(), pointers.len());
        rd::rd_kafka_DescribeTopics(rk, collection, options, queue);
        rd::rd_kafka_TopicCollection_destroy(collection);
        rd::rd_kafka_AdminOptions_destroy(options);
        // The request's own timeout bounds the wait; a little more lets its error arrive.
        let deadline = Instant::now() + timeout + Duration::from_secs(1);
        let mut ev: *mut rd::rd_kafka_event_t = std::ptr::null_mut();
        while ev.is_null() && !cancel.is_cancelled() && Instant::now() < deadline {
            ev = rd::rd_kafka_queue_poll(queue, SLICE_MS);
        }
        let answer = if ev.is_null() && cancel.is_cancelled() {
            Err("DescribeTopics abandoned: shutting down".to_string())
        } else if ev.is_null() {
            Err("DescribeTopics timed out".to_string())
        } else {
            let answer = read_result(ev);
            rd::rd_kafka_event_destroy(ev);
            answer
        };
        rd::rd_kafka_queue_destroy(queue);
        answer
    }
}

/// Copies one DescribeTopics event's ids out. Caller guarantees `ev` is live.
unsafe fn read_result(ev: *mut rd::rd_kafka_event_t) -> Result<Vec<(TopicId, String)>, String> {
    // SAFETY: per the caller's guarantee; all pointers read here are owned by `ev`.
    unsafe {
        if rd::rd_kafka_event_error(ev) != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            return Err(cstr(rd::rd_kafka_event_error_string(ev)));
        }
        let result = rd::rd_kafka_event_DescribeTopics_result(ev);
        if result.is_null() {
            return Err("unexpected admin event".to_string());
        }
        let mut count = 0usize;
        let descriptions = rd::rd_kafka_DescribeTopics_result_topics(result, &mut count);
        let mut ids = Vec::with_capacity(count);
        for i in 0..count {
            let d = *descriptions.add(i);
            // A topic deleted since the metadata refresh answers with an error: skip it.
            if !rd::rd_kafka_TopicDescription_error(d).is_null() {
                continue;
            }
            let id = rd::rd_kafka_TopicDescription_topic_id(d);
            if id.is_null() {
                continue;
            }
            let id = TopicId::from_halves(
                rd::rd_kafka_Uuid_most_significant_bits(id),
                rd::rd_kafka_Uuid_least_significant_bits(id),
            );
            // Kafka's "no id" (a broker that predates topic ids).
            if id.0 == [0; 16] {
                continue;
            }
            ids.push((id, cstr(rd::rd_kafka_TopicDescription_name(d))));
        }
        Ok(ids)
    }
}

/// Copies a C string (null → empty).
unsafe fn cstr(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: librdkafka returns NUL-terminated strings that live as long as their event.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}
