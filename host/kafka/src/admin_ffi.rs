//! The Admin API calls rust-rdkafka does not wrap: ListConsumerGroups, DescribeConsumerGroups
//! and ListConsumerGroupOffsets (OffsetFetch for *another* group). Warren's only other `unsafe`
//! is its twin for DescribeTopics (`heads/topic_ids.rs`). An [`AdminQueue`] owns one private librdkafka queue; every request sent on it
//! carries a tag the caller chose (as the request's opaque), and [`AdminQueue::poll`] copies
//! each answer into owned Rust values before destroying its event, so nothing librdkafka owns
//! outlives the call that read it.
//!
//! Requests are sent one group at a time, each with its own timeout, so the caller decides how
//! many are in flight and a group whose coordinator does not answer fails alone.

use std::ffi::{CStr, c_char, c_void};
use std::marker::PhantomData;
use std::ptr;
use std::time::Duration;

use rdkafka::bindings as rd;
use rdkafka::client::{Client, ClientContext};
use warren_core::model::Member;

/// Committed offsets of one group: (topic, partition, offset).
pub(crate) type GroupOffsets = Vec<(String, i32, i64)>;

/// One consumer group as ListConsumerGroups names it.
#[derive(Debug)]
pub(crate) struct Listing {
    pub(crate) name: String,
    /// `Consumer` (KIP-848) or `Classic`; `None` from brokers older than ListGroups v5.
    pub(crate) kind: Option<&'static str>,
}

/// ListConsumerGroups' answer: the groups of every broker that answered, and one message per
/// broker that did not (its groups are missing from `groups`).
#[derive(Debug)]
pub(crate) struct Listed {
    pub(crate) groups: Vec<Listing>,
    pub(crate) errors: Vec<String>,
}

/// DescribeConsumerGroups' answer for one group.
#[derive(Debug)]
pub(crate) struct Described {
    /// Kafka's name of the state, `None` for states librdkafka does not name (KIP-848's
    /// `Assigning` and `Reconciling`).
    pub(crate) state: Option<&'static str>,
    /// `Consumer` (KIP-848) or `Classic`.
    pub(crate) kind: Option<&'static str>,
    /// The node coordinating the group.
    pub(crate) coordinator: Option<i32>,
    pub(crate) members: Vec<Member>,
}

/// One answer taken from the queue.
#[derive(Debug)]
pub(crate) enum Answer {
    Listed(Result<Listed, String>),
    Described(Result<Described, String>),
    Offsets(Result<GroupOffsets, String>),
}

/// A private result queue on one client. Not `Send`: one thread sends and polls.
pub(crate) struct AdminQueue<'a> {
    rk: *mut rd::rd_kafka_t,
    queue: *mut rd::rd_kafka_queue_t,
    _client: PhantomData<&'a ()>,
}

impl<'a> AdminQueue<'a> {
    /// A new queue on `client`; `None` if librdkafka cannot make one.
    pub(crate) fn new<C: ClientContext>(client: &'a Client<C>) -> Option<AdminQueue<'a>> {
        let rk = client.native_ptr();
        // SAFETY: `rk` is live while `client` is borrowed, which the lifetime ties to `self`.
        let queue = unsafe { rd::rd_kafka_queue_new(rk) };
        (!queue.is_null()).then_some(AdminQueue {
            rk,
            queue,
            _client: PhantomData,
        })
    }

    /// Sends ListConsumerGroups (every broker is asked; classic and KIP-848 groups).
    pub(crate) fn list_groups(&self, tag: u64, timeout: Duration) -> Result<(), String> {
        let options = Options::new(
            self.rk,
            rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS,
            tag,
            timeout,
        )?;
        // SAFETY: `rk`, `options` and `queue` are live; librdkafka copies the options.
        unsafe { rd::rd_kafka_ListConsumerGroups(self.rk, options.0, self.queue) };
        Ok(())
    }

    /// Sends DescribeConsumerGroups for `group` alone. librdkafka asks the coordinator with
    /// ConsumerGroupDescribe (KIP-848) and falls back to DescribeGroups for a classic group,
    /// so an answer can take up to twice `timeout`.
    pub(crate) fn describe_group(
        &self,
        group: &str,
        tag: u64,
        timeout: Duration,
    ) -> Result<(), String> {
        let name = c_name(group)?;
        let options = Options::new(
            self.rk,
            rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS,
            tag,
            timeout,
        )?;
        let mut names = [name.as_ptr()];
        // SAFETY: as above; librdkafka copies the group names before returning.
        unsafe {
            rd::rd_kafka_DescribeConsumerGroups(
                self.rk,
                names.as_mut_ptr(),
                names.len(),
                options.0,
                self.queue,
            )
        };
        Ok(())
    }

    /// Sends ListConsumerGroupOffsets for every partition `group` committed.
    pub(crate) fn fetch_offsets(
        &self,
        group: &str,
        tag: u64,
        timeout: Duration,
    ) -> Result<(), String> {
        let name = c_name(group)?;
        let options = Options::new(
            self.rk,
            rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
            tag,
            timeout,
        )?;
        // SAFETY: as above; the request object is ours and destroyed once librdkafka copied it.
        unsafe {
            let request = rd::rd_kafka_ListConsumerGroupOffsets_new(name.as_ptr(), ptr::null());
            if request.is_null() {
                return Err("librdkafka refused the ListConsumerGroupOffsets request".into());
            }
            let mut requests = [request];
            rd::rd_kafka_ListConsumerGroupOffsets(
                self.rk,
                requests.as_mut_ptr(),
                requests.len(),
                options.0,
                self.queue,
            );
            rd::rd_kafka_ListConsumerGroupOffsets_destroy(request);
        }
        Ok(())
    }

    /// The next answer, waiting at most `wait`; `None` when nothing came (or an event of a
    /// kind this queue never asked for, which is dropped).
    pub(crate) fn poll(&self, wait: Duration) -> Option<(u64, Answer)> {
        let ms = wait.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: the queue is live; the event is ours until destroyed below, and every
        // pointer read from it is copied out by `read_event` before that.
        unsafe {
            let ev = rd::rd_kafka_queue_poll(self.queue, ms);
            if ev.is_null() {
                return None;
            }
            let tag = rd::rd_kafka_event_opaque(ev) as usize as u64;
            let answer = read_event(ev);
            rd::rd_kafka_event_destroy(ev);
            answer.map(|a| (tag, a))
        }
    }
}

impl Drop for AdminQueue<'_> {
    fn drop(&mut self) {
        // SAFETY: created in `new`. Requests still in flight hold their own reference to the
        // queue inside librdkafka; their late answers are discarded with it.
        unsafe { rd::rd_kafka_queue_destroy(self.queue) };
    }
}

/// AdminOptions for one request, destroyed on drop (librdkafka copies them when sending).
struct Options(*mut rd::rd_kafka_AdminOptions_t);

impl Options {
    fn new(
        rk: *mut rd::rd_kafka_t,
        op: rd::rd_kafka_admin_op_t,
        tag: u64,
        timeout: Duration,
    ) -> Result<Options, String> {
        // SAFETY: `rk` is live (the caller's queue borrows its client).
        unsafe {
            let options = Options(rd::rd_kafka_AdminOptions_new(rk, op));
            if options.0.is_null() {
                return Err("librdkafka refused the Admin API options".into());
            }
            let ms = timeout.as_millis().clamp(1, i32::MAX as u128) as i32;
            let mut errstr = [0 as c_char; 256];
            let err = rd::rd_kafka_AdminOptions_set_request_timeout(
                options.0,
                ms,
                errstr.as_mut_ptr(),
                errstr.len(),
            );
            if err != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                return Err(cstr(errstr.as_ptr()));
            }
            // The tag travels with the request so its answer finds the caller's record.
            rd::rd_kafka_AdminOptions_set_opaque(options.0, tag as usize as *mut c_void);
            Ok(options)
        }
    }
}

impl Drop for Options {
    fn drop(&mut self) {
        // SAFETY: non-null (checked in `new`) and destroyed only here.
        unsafe { rd::rd_kafka_AdminOptions_destroy(self.0) };
    }
}

fn c_name(group: &str) -> Result<std::ffi::CString, String> {
    std::ffi::CString::new(group).map_err(|_| "group name contains a NUL byte".to_string())
}

/// Copies one event's answer out. Caller guarantees `ev` is live.
unsafe fn read_event(ev: *mut rd::rd_kafka_event_t) -> Option<Answer> {
    // SAFETY: per the caller's guarantee; each accessor returns null for other event types.
    unsafe {
        let failed =
            rd::rd_kafka_event_error(ev) != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR;
        let error = || cstr(rd::rd_kafka_event_error_string(ev));
        let listed = rd::rd_kafka_event_ListConsumerGroups_result(ev);
        if !listed.is_null() {
            return Some(Answer::Listed(if failed {
                Err(error())
            } else {
                Ok(read_listed(listed))
            }));
        }
        let described = rd::rd_kafka_event_DescribeConsumerGroups_result(ev);
        if !described.is_null() {
            return Some(Answer::Described(if failed {
                Err(error())
            } else {
                read_described(described)
            }));
        }
        let offsets = rd::rd_kafka_event_ListConsumerGroupOffsets_result(ev);
        if !offsets.is_null() {
            return Some(Answer::Offsets(if failed {
                Err(error())
            } else {
                read_offsets(offsets)
            }));
        }
        None
    }
}

/// Caller guarantees `result` is live.
unsafe fn read_listed(result: *const rd::rd_kafka_ListConsumerGroups_result_t) -> Listed {
    // SAFETY: arrays of `count` pointers owned by the event; each checked before use.
    unsafe {
        let mut count = 0usize;
        let valid = rd::rd_kafka_ListConsumerGroups_result_valid(result, &mut count);
        let mut groups = Vec::with_capacity(count);
        for i in 0..if valid.is_null() { 0 } else { count } {
            let listing = *valid.add(i);
            if listing.is_null() {
                continue;
            }
            groups.push(Listing {
                name: cstr(rd::rd_kafka_ConsumerGroupListing_group_id(listing)),
                kind: kind_name(rd::rd_kafka_ConsumerGroupListing_type(listing)),
            });
        }
        let mut count = 0usize;
        let failed = rd::rd_kafka_ListConsumerGroups_result_errors(result, &mut count);
        let mut errors = Vec::new();
        for i in 0..if failed.is_null() { 0 } else { count } {
            let error = *failed.add(i);
            if !error.is_null() {
                errors.push(cstr(rd::rd_kafka_error_string(error)));
            }
        }
        Listed { groups, errors }
    }
}

/// Caller guarantees `result` is live. One group was asked, so one description is expected.
unsafe fn read_described(
    result: *const rd::rd_kafka_DescribeConsumerGroups_result_t,
) -> Result<Described, String> {
    // SAFETY: as in `read_listed`; member and assignment pointers belong to the description.
    unsafe {
        let mut count = 0usize;
        let groups = rd::rd_kafka_DescribeConsumerGroups_result_groups(result, &mut count);
        if groups.is_null() || count == 0 {
            return Err("DescribeConsumerGroups answered no group".into());
        }
        let group = *groups;
        if group.is_null() {
            return Err("DescribeConsumerGroups answered no group".into());
        }
        let error = rd::rd_kafka_ConsumerGroupDescription_error(group);
        if !error.is_null() {
            return Err(cstr(rd::rd_kafka_error_string(error)));
        }
        let node = rd::rd_kafka_ConsumerGroupDescription_coordinator(group);
        let mut members = Vec::new();
        for m in 0..rd::rd_kafka_ConsumerGroupDescription_member_count(group) {
            let member = rd::rd_kafka_ConsumerGroupDescription_member(group, m);
            if member.is_null() {
                continue;
            }
            let assignment = rd::rd_kafka_MemberDescription_assignment(member);
            let partitions = if assignment.is_null() {
                ptr::null()
            } else {
                rd::rd_kafka_MemberAssignment_partitions(assignment)
            };
            members.push(Member {
                host: cstr(rd::rd_kafka_MemberDescription_host(member)),
                client_id: cstr(rd::rd_kafka_MemberDescription_client_id(member)),
                assignment: by_topic(partitions),
            });
        }
        let state = rd::rd_kafka_ConsumerGroupDescription_state(group);
        Ok(Described {
            state: (state
                != rd::rd_kafka_consumer_group_state_t::RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN)
                .then(|| static_name(rd::rd_kafka_consumer_group_state_name(state)))
                .flatten(),
            kind: kind_name(rd::rd_kafka_ConsumerGroupDescription_type(group)),
            coordinator: (!node.is_null()).then(|| rd::rd_kafka_Node_id(node)),
            members,
        })
    }
}

/// Groups a partition list by topic, keeping librdkafka's order. Null is an empty list.
unsafe fn by_topic(list: *const rd::rd_kafka_topic_partition_list_t) -> Vec<(String, Vec<i32>)> {
    let mut out: Vec<(String, Vec<i32>)> = Vec::new();
    if list.is_null() || (unsafe { (*list).elems }).is_null() {
        return out;
    }
    // SAFETY: a live list of `cnt` elements (caller's guarantee, checked non-null above).
    unsafe {
        for e in 0..usize::try_from((*list).cnt).unwrap_or(0) {
            let elem = &*(*list).elems.add(e);
            let topic = cstr(elem.topic);
            match out.iter_mut().find(|(t, _)| *t == topic) {
                Some((_, partitions)) => partitions.push(elem.partition),
                None => out.push((topic, vec![elem.partition])),
            }
        }
    }
    out
}

/// Caller guarantees `result` is live.
unsafe fn read_offsets(
    result: *const rd::rd_kafka_ListConsumerGroupOffsets_result_t,
) -> Result<GroupOffsets, String> {
    // SAFETY: per the caller's guarantee; all pointers read here are owned by the event.
    unsafe {
        let mut count = 0usize;
        let groups = rd::rd_kafka_ListConsumerGroupOffsets_result_groups(result, &mut count);
        let mut offsets = Vec::new();
        for g in 0..if groups.is_null() { 0 } else { count } {
            let group = *groups.add(g);
            if group.is_null() {
                continue;
            }
            let error = rd::rd_kafka_group_result_error(group);
            if !error.is_null() {
                return Err(cstr(rd::rd_kafka_error_string(error)));
            }
            let list = rd::rd_kafka_group_result_partitions(group);
            if list.is_null() || (*list).elems.is_null() {
                continue;
            }
            for e in 0..usize::try_from((*list).cnt).unwrap_or(0) {
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

/// librdkafka's name of a group type; `None` when unknown.
unsafe fn kind_name(kind: rd::rd_kafka_consumer_group_type_t) -> Option<&'static str> {
    if kind == rd::rd_kafka_consumer_group_type_t::RD_KAFKA_CONSUMER_GROUP_TYPE_UNKNOWN {
        return None;
    }
    // SAFETY: librdkafka's names are static strings (null for out-of-range codes).
    unsafe { static_name(rd::rd_kafka_consumer_group_type_name(kind)) }
}

/// A static C string of librdkafka's (a state or type name) as `&'static str`.
unsafe fn static_name(p: *const c_char) -> Option<&'static str> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the caller passes a pointer into librdkafka's static name tables.
    unsafe { CStr::from_ptr(p) }.to_str().ok()
}

/// Copies a C string (null → empty).
unsafe fn cstr(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: librdkafka returns NUL-terminated strings that live as long as their event.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}
