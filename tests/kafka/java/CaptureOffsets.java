// Makes a real broker write `__consumer_offsets` records of every kind Warren meets, then copies
// them raw into fixture files: `scripts/capture-offsets-fixtures` runs it against a fresh
// one-node cluster whose offsets topic has a single partition, so log order is write order.
//
//   CaptureOffsets BOOTSTRAP OUT_DIR KAFKA_VERSION
//
// What it does, with values it chooses (the manifest repeats them; Warren's decoder must read
// the same back): a classic consumer group commits with and without commit metadata, a
// KIP-848 (`group.protocol=consumer`) group commits, offsets are committed through the Admin API
// for a group that is then deleted (offset and group tombstones), a Connect-style group
// (protocol type "connect") joins and syncs through raw JoinGroup/SyncGroup requests, and a
// share group consumes when the broker has them enabled (records Warren skips).
//
// Then it reads partition 0 of `__consumer_offsets` from the start to its end and writes, per
// record, OUT_DIR/NNNN.key and (unless a tombstone) OUT_DIR/NNNN.value, NNNN the log offset, and
// OUT_DIR/manifest.json: per record what the key names (read here with a few lines of Java, not
// Warren's code) and what the value must hold, from the choices above. Commit timestamps are
// only known to lie between the clock readings taken before and after each commit.
import java.io.*;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.serialization.*;

public class CaptureOffsets {
    static final String TOPIC = "orders";
    static final int PARTITIONS = 3;
    static final String CLASSIC = "fx-classic", CLASSIC_CLIENT = "fx-classic-client";
    static final String KIP848 = "fx-848", KIP848_CLIENT = "fx-848-client";
    static final String ADMIN = "fx-admin", DELETED = "fx-deleted";
    static final String CONNECT = "fx-connect", CONNECT_CLIENT = "fx-connect-client";
    static final String SHARE = "fx-share";
    static final int REBALANCE_TIMEOUT_MS = 120_000;

    /** A commit the program made: what its record's value must hold. */
    record Commit(long offset, String metadata, long after, long before) {}

    static final Map<String, Commit> commits = new HashMap<>();
    static final Set<String> deletedGroups = new HashSet<>();
    static final Map<String, String> notes = new LinkedHashMap<>();
    static String brokerVersion;
    /** Groups whose first group metadata record was seen in the log. */
    static final Set<String> created = new HashSet<>();

    public static void main(String[] a) throws Exception {
        String bootstrap = a[0];
        Path out = Paths.get(a[1]);
        brokerVersion = a[2];
        Files.createDirectories(out);
        Uuid topicId;
        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
            topicId = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).topicId();
        }
        produce(bootstrap);
        classicGroup(bootstrap);
        kip848Group(bootstrap);
        adminGroups(bootstrap);
        connectGroup(bootstrap);
        shareGroup(bootstrap);
        dump(bootstrap, out, topicId);
    }

    static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        return Admin.create(p);
    }

    static void produce(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int part = 0; part < PARTITIONS; part++) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, part, "k" + i, "v" + i));
                }
            }
            producer.flush();
        }
    }

    static KafkaConsumer<String, String> consumer(String bootstrap, String group, String client,
            String protocol) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, client);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, String.valueOf(REBALANCE_TIMEOUT_MS));
        if (protocol.equals("classic")) {
            p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        }
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /** Subscribes, waits for all partitions, commits `chosen`, leaves. */
    static void commitAsMember(KafkaConsumer<String, String> c, String group,
            Map<Integer, OffsetAndMetadata> chosen) {
        c.subscribe(List.of(TOPIC));
        long deadline = System.currentTimeMillis() + 60_000;
        while (c.assignment().size() < PARTITIONS) {
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("no assignment for " + group);
            c.poll(Duration.ofMillis(200));
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        chosen.forEach((part, om) -> offsets.put(new TopicPartition(TOPIC, part), om));
        long after = System.currentTimeMillis();
        c.commitSync(offsets);
        long before = System.currentTimeMillis();
        chosen.forEach((part, om) -> commits.put(key(group, TOPIC, part),
                new Commit(om.offset(), om.metadata(), after, before)));
        c.close();
    }

    static void classicGroup(String bootstrap) {
        commitAsMember(consumer(bootstrap, CLASSIC, CLASSIC_CLIENT, "classic"), CLASSIC, Map.of(
                0, new OffsetAndMetadata(5),
                1, new OffsetAndMetadata(7, "checkpoint-7 ✓")));
    }

    static void kip848Group(String bootstrap) {
        commitAsMember(consumer(bootstrap, KIP848, KIP848_CLIENT, "consumer"), KIP848, Map.of(
                0, new OffsetAndMetadata(11, "m848"),
                2, new OffsetAndMetadata(19)));
    }

    /** Commits for empty groups through the Admin API; DELETED is then deleted (tombstones). */
    static void adminGroups(String bootstrap) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            for (String group : List.of(ADMIN, DELETED)) {
                long after = System.currentTimeMillis();
                admin.alterConsumerGroupOffsets(group, Map.of(
                        new TopicPartition(TOPIC, 2), new OffsetAndMetadata(3, "admin"))).all().get();
                long before = System.currentTimeMillis();
                commits.put(key(group, TOPIC, 2), new Commit(3, "admin", after, before));
            }
            admin.deleteConsumerGroups(List.of(DELETED)).all().get();
            deletedGroups.add(DELETED);
        }
    }

    /**
     * A group of protocol type "connect", the way Connect workers form one: JoinGroup v2 and
     * SyncGroup v1 on a raw socket (the Java consumer only speaks protocol type "consumer").
     * The member stays in the group; the socket closes and its session later expires.
     */
    static void connectGroup(String bootstrap) throws Exception {
        String[] hostPort = bootstrap.split(",")[0].split(":");
        try (Socket s = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
            s.setSoTimeout(30_000);
            var out = new DataOutputStream(s.getOutputStream());
            var in = new DataInputStream(s.getInputStream());
            // Connect's worker metadata: version, URL, config offset.
            var meta = new ByteArrayOutputStream();
            var m = new DataOutputStream(meta);
            m.writeShort(0);
            str(m, "http://127.0.0.1:8083/");
            m.writeLong(-1);
            var join = new ByteArrayOutputStream();
            var j = new DataOutputStream(join);
            str(j, CONNECT);
            j.writeInt(10_000); // session timeout
            j.writeInt(REBALANCE_TIMEOUT_MS);
            str(j, ""); // member id: none yet
            str(j, "connect");
            j.writeInt(1);
            str(j, "default");
            j.writeInt(meta.size());
            j.write(meta.toByteArray());
            ByteBuffer r = call(out, in, 11, 2, 1, join.toByteArray());
            r.getInt(); // throttle
            short error = r.getShort();
            if (error != 0) throw new IllegalStateException("JoinGroup error " + error);
            int generation = r.getInt();
            getStr(r); // protocol
            getStr(r); // leader
            String memberId = getStr(r);
            var assign = new ByteArrayOutputStream();
            var as = new DataOutputStream(assign);
            as.writeShort(0); // Connect assignment: version, error, leader, leader URL, offset,
            as.writeShort(0); // then no connectors and no tasks
            str(as, memberId);
            str(as, "http://127.0.0.1:8083/");
            as.writeLong(-1);
            as.writeInt(0);
            as.writeInt(0);
            var sync = new ByteArrayOutputStream();
            var sy = new DataOutputStream(sync);
            str(sy, CONNECT);
            sy.writeInt(generation);
            str(sy, memberId);
            sy.writeInt(1);
            str(sy, memberId);
            sy.writeInt(assign.size());
            sy.write(assign.toByteArray());
            r = call(out, in, 14, 1, 2, sync.toByteArray());
            r.getInt();
            error = r.getShort();
            if (error != 0) throw new IllegalStateException("SyncGroup error " + error);
        }
    }

    /** One request with header v1 (client id "fx-connect-client"); returns the response body. */
    static ByteBuffer call(DataOutputStream out, DataInputStream in, int apiKey, int version,
            int correlation, byte[] body) throws IOException {
        var req = new ByteArrayOutputStream();
        var h = new DataOutputStream(req);
        h.writeShort(apiKey);
        h.writeShort(version);
        h.writeInt(correlation);
        str(h, CONNECT_CLIENT);
        h.write(body);
        out.writeInt(req.size());
        out.write(req.toByteArray());
        out.flush();
        byte[] resp = new byte[in.readInt()];
        in.readFully(resp);
        ByteBuffer b = ByteBuffer.wrap(resp);
        if (b.getInt() != correlation) throw new IllegalStateException("correlation id");
        return b;
    }

    /** A share group reading the topic, when the broker enables share groups; else a note. */
    static void shareGroup(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, SHARE);
        try (var c = new KafkaShareConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(TOPIC));
            long deadline = System.currentTimeMillis() + 15_000;
            int seen = 0;
            while (seen == 0 && System.currentTimeMillis() < deadline) {
                seen += c.poll(Duration.ofMillis(500)).count();
            }
            c.commitSync();
            notes.put("share-group", "joined; records seen: " + seen);
        } catch (Exception e) {
            notes.put("share-group", "not captured: " + e);
        }
    }

    static void dump(String bootstrap, Path out, Uuid topicId) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.EXCLUDE_INTERNAL_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        var tp = new TopicPartition("__consumer_offsets", 0);
        var json = new StringBuilder("{\n");
        json.append("  \"broker\": \"Apache Kafka ").append(brokerVersion).append("\",\n");
        json.append("  \"topic\": ").append(q(TOPIC)).append(",\n");
        json.append("  \"topic_id\": ").append(q(topicId.toString())).append(",\n");
        json.append("  \"topic_partitions\": ").append(PARTITIONS).append(",\n");
        json.append("  \"rebalance_timeout_ms\": ").append(REBALANCE_TIMEOUT_MS).append(",\n");
        json.append("  \"notes\": {");
        String sep = "";
        for (var n : notes.entrySet()) {
            json.append(sep).append(q(n.getKey())).append(": ").append(q(n.getValue()));
            sep = ", ";
        }
        json.append("},\n  \"records\": [\n");
        try (var c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long position = 0;
            sep = "";
            while (c.position(tp) < end) {
                for (var rec : c.poll(Duration.ofMillis(500))) {
                    if (rec.offset() >= end) break;
                    String name = String.format("%04d", rec.offset());
                    Files.write(out.resolve(name + ".key"), rec.key());
                    if (rec.value() != null) Files.write(out.resolve(name + ".value"), rec.value());
                    json.append(sep).append("    ").append(entry(name, rec, topicId));
                    sep = ",\n";
                    position = rec.offset();
                }
            }
            System.out.println("captured " + (position + 1) + " records up to offset " + end);
        }
        json.append("\n  ]\n}\n");
        Files.writeString(out.resolve("manifest.json"), json.toString());
    }

    /** The manifest line of one record: what its key names and what its value must hold. */
    static String entry(String name, ConsumerRecord<byte[], byte[]> rec, Uuid topicId) {
        ByteBuffer k = ByteBuffer.wrap(rec.key());
        short type = k.getShort();
        String group = getStr(k);
        boolean tombstone = rec.value() == null;
        var e = new StringBuilder("{\"file\": ").append(q(name))
                .append(", \"log_offset\": ").append(rec.offset())
                .append(", \"key_type\": ").append(type)
                .append(", \"group\": ").append(q(group))
                .append(", \"tombstone\": ").append(tombstone);
        switch (type) {
            case 0, 1 -> {
                String topic = getStr(k);
                int partition = k.getInt();
                e.append(", \"kind\": \"offset-commit\", \"topic\": ").append(q(topic))
                        .append(", \"partition\": ").append(partition);
                Commit c = commits.get(key(group, topic, partition));
                if (tombstone) {
                    e.append(", \"deleted\": ").append(deletedGroups.contains(group));
                } else if (c != null) {
                    e.append(", \"offset\": ").append(c.offset())
                            .append(", \"metadata\": ").append(q(c.metadata()))
                            .append(", \"committed_after_ms\": ").append(c.after())
                            .append(", \"committed_before_ms\": ").append(c.before());
                } else {
                    e.append(", \"unexpected\": true");
                }
            }
            case 2 -> {
                e.append(", \"kind\": \"group-metadata\"");
                if (tombstone) {
                    e.append(", \"deleted\": ").append(deletedGroups.contains(group));
                } else if (created.add(group)) {
                    // The coordinator records a group as it creates it, before anyone joined:
                    // generation 0, no protocol type, no members.
                    e.append(", \"created\": true, \"protocol_type\": \"\"");
                } else if (group.equals(CLASSIC)) {
                    e.append(", \"protocol_type\": \"consumer\", \"protocol\": \"range\"")
                            .append(", \"client_id\": ").append(q(CLASSIC_CLIENT))
                            .append(", \"assigned\": ").append(PARTITIONS);
                } else if (group.equals(CONNECT)) {
                    e.append(", \"protocol_type\": \"connect\", \"protocol\": \"default\"")
                            .append(", \"client_id\": ").append(q(CONNECT_CLIENT));
                } else {
                    // A group with committed offsets and no members (Admin API commits).
                    e.append(", \"protocol_type\": \"\"");
                }
            }
            case 3 -> e.append(", \"kind\": \"consumer-group\"");
            case 4 -> e.append(", \"kind\": \"consumer-group-topics\"");
            case 5 -> e.append(", \"kind\": \"consumer-group-member\", \"member_id\": ")
                    .append(q(getStr(k))).append(", \"client_id\": ").append(q(KIP848_CLIENT))
                    .append(", \"rebalance_timeout_ms\": ").append(REBALANCE_TIMEOUT_MS);
            case 6 -> e.append(", \"kind\": \"consumer-group-target-assignment\"");
            case 8 -> e.append(", \"kind\": \"consumer-group-member-assignment\", \"member_id\": ")
                    .append(q(getStr(k))).append(", \"topic_id\": ").append(q(topicId.toString()));
            default -> e.append(", \"kind\": \"skipped\"");
        }
        return e.append("}").toString();
    }

    static String key(String group, String topic, int partition) {
        return group + "\u0000" + topic + "\u0000" + partition;
    }

    static void str(DataOutputStream o, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.writeShort(b.length);
        o.write(b);
    }

    static String getStr(ByteBuffer b) {
        short len = b.getShort();
        if (len < 0) return null;
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    /** A JSON string literal. */
    static String q(String s) {
        var o = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> o.append("\\\"");
                case '\\' -> o.append("\\\\");
                default -> {
                    if (ch < 0x20) o.append(String.format("\\u%04x", (int) ch));
                    else o.append(ch);
                }
            }
        }
        return o.append('"').toString();
    }
}
