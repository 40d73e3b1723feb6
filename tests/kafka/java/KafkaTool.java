// The real-broker tier's Java side: Kafka's own clients doing what no Warren code wrote.
// Compiled by `scripts/kafka` against the cached Kafka jars; every command prints what it
// observed on stdout, one line per fact, and exits non-zero on any error. Every client it makes
// also takes the properties in the file KAFKA_TOOL_CONFIG names, when set (the
// CLIENT_PROPERTIES that `scripts/kafka up --security MODE` writes: TLS, SASL).
//
//   count-brokers BOOTSTRAP                      brokers in the cluster's metadata
//   truth BOOTSTRAP [GROUP...]                   ground truth, one line per partition:
//                                                GROUP TOPIC PARTITION COMMITTED HEAD
//                                                (every consumer group when none is named)
//   consume BOOTSTRAP GROUP TOPIC PROTOCOL COMMIT_MS [RATE]
//                                                a subscribed consumer (PROTOCOL classic|consumer)
//                                                reading at most RATE records/s (-1: reads until
//                                                its first commit, then pauses and goes on
//                                                committing the same offsets: a stalled
//                                                consumer), committing every COMMIT_MS; runs
//                                                until killed; prints "assigned N" once
//                                                partitions arrive
//   txn-offsets BOOTSTRAP TXID GROUP TOPIC PARTITION OFFSET commit|abort|hang
//                                                a transactional producer that sends one offset
//                                                with sendOffsetsToTransaction, then commits,
//                                                aborts, or prints "pending" and waits to be killed
//   delete-offsets BOOTSTRAP GROUP TOPIC PARTITION   DeleteConsumerGroupOffsets for one partition
//   delete-group BOOTSTRAP GROUP                 DeleteGroups
//   commit-many BOOTSTRAP PREFIX GROUPS TOPIC PARTITIONS ROUNDS
//                                                ROUNDS rounds of commits for GROUPS empty groups
//                                                (PREFIX-0 ...) over PARTITIONS partitions of
//                                                TOPIC through the Admin API; prints the count
//   bench-load BOOTSTRAP TOPICS PARTITIONS RECORDS GROUPS ROUNDS
//                                                `warren dev-load`'s input through real clients:
//                                                topics t0.. of PARTITIONS partitions holding
//                                                RECORDS records each, then ROUNDS rounds of
//                                                commits by groups group-0000.. with dev-load's
//                                                offsets, many Admin calls in flight; each group
//                                                partition's last commit goes last; prints the count
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.serialization.*;

public class KafkaTool {
    public static void main(String[] a) throws Exception {
        switch (a[0]) {
            case "count-brokers" -> countBrokers(a[1]);
            case "truth" -> truth(a[1], Arrays.asList(a).subList(2, a.length));
            case "consume" -> consume(a[1], a[2], a[3], a[4], Long.parseLong(a[5]),
                    a.length > 6 ? Integer.parseInt(a[6]) : 0);
            case "txn-offsets" -> txnOffsets(a[1], a[2], a[3], a[4], Integer.parseInt(a[5]),
                    Long.parseLong(a[6]), a[7]);
            case "commit-many" -> commitMany(a[1], a[2], Integer.parseInt(a[3]), a[4],
                    Integer.parseInt(a[5]), Integer.parseInt(a[6]));
            case "bench-load" -> benchLoad(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]),
                    Integer.parseInt(a[4]), Integer.parseInt(a[5]), Integer.parseInt(a[6]));
            case "delete-offsets" -> {
                try (Admin admin = admin(a[1])) {
                    admin.deleteConsumerGroupOffsets(a[2],
                            Set.of(new TopicPartition(a[3], Integer.parseInt(a[4])))).all().get();
                }
                System.out.println("deleted");
            }
            case "delete-group" -> {
                try (Admin admin = admin(a[1])) {
                    admin.deleteConsumerGroups(List.of(a[2])).all().get();
                }
                System.out.println("deleted");
            }
            default -> throw new IllegalArgumentException("unknown command " + a[0]);
        }
    }

    /** Client properties, starting from KAFKA_TOOL_CONFIG's file when the variable is set. */
    static Properties props() {
        Properties p = new Properties();
        String file = System.getenv("KAFKA_TOOL_CONFIG");
        if (file != null && !file.isEmpty()) {
            try (var in = new java.io.FileInputStream(file)) {
                p.load(in);
            } catch (java.io.IOException e) {
                throw new RuntimeException("cannot read KAFKA_TOOL_CONFIG " + file, e);
            }
        }
        return p;
    }

    static Admin admin(String bootstrap) {
        Properties p = props();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    static void countBrokers(String bootstrap) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            System.out.println(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size());
        }
    }

    static void truth(String bootstrap, List<String> named) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            List<String> groups = new ArrayList<>(named);
            if (groups.isEmpty()) {
                for (GroupListing g : admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get()) {
                    groups.add(g.groupId());
                }
            }
            Collections.sort(groups);
            for (String group : groups) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
                committed.keySet().forEach(tp -> ask.put(tp, OffsetSpec.latest()));
                var heads = admin.listOffsets(ask).all().get();
                List<TopicPartition> order = new ArrayList<>(committed.keySet());
                order.sort(Comparator.comparing(TopicPartition::topic).thenComparing(TopicPartition::partition));
                for (TopicPartition tp : order) {
                    OffsetAndMetadata om = committed.get(tp);
                    if (om == null) continue;
                    System.out.println(group + " " + tp.topic() + " " + tp.partition() + " "
                            + om.offset() + " " + heads.get(tp).offset());
                }
            }
        }
    }

    static void consume(String bootstrap, String group, String topic, String protocol,
                        long commitMs, int rate) throws Exception {
        Properties p = props();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "java-" + group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (protocol.equals("classic")) {
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
        }
        boolean stall = rate < 0;
        if (rate > 0) p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(Math.max(1, rate / 10)));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            boolean[] announced = {false};
            c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                public void onPartitionsRevoked(Collection<TopicPartition> parts) {}
                public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                    if (!parts.isEmpty() && !announced[0]) {
                        announced[0] = true;
                        System.out.println("assigned " + parts.size());
                        System.out.flush();
                    }
                }
            });
            long lastCommit = System.currentTimeMillis();
            while (true) {
                long start = System.currentTimeMillis();
                var records = c.poll(Duration.ofMillis(100));
                if (rate > 0 && records.count() > 0) {
                    long budget = records.count() * 1000L / rate - (System.currentTimeMillis() - start);
                    if (budget > 0) Thread.sleep(budget);
                }
                if (System.currentTimeMillis() - lastCommit >= commitMs) {
                    // A broker outage or a fenced member is the test's doing, not the end of
                    // this consumer: say so and go on, as a real application would.
                    try {
                        c.commitSync(Duration.ofSeconds(5));
                    } catch (KafkaException e) {
                        System.out.println("commit-failed " + e.getClass().getSimpleName());
                        System.out.flush();
                    }
                    lastCommit = System.currentTimeMillis();
                    if (stall && !c.assignment().isEmpty()) c.pause(c.assignment());
                }
            }
        }
    }

    static void txnOffsets(String bootstrap, String txid, String group, String topic, int partition,
                           long offset, String end) throws Exception {
        Properties p = props();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txid);
        // A transaction left open ("hang") is aborted by the broker after this long.
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "10000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.sendOffsetsToTransaction(
                    Map.of(new TopicPartition(topic, partition), new OffsetAndMetadata(offset)),
                    new ConsumerGroupMetadata(group));
            switch (end) {
                case "commit" -> producer.commitTransaction();
                case "abort" -> producer.abortTransaction();
                case "hang" -> {
                    producer.flush();
                    System.out.println("pending");
                    System.out.flush();
                    Thread.sleep(Long.MAX_VALUE);
                }
                default -> throw new IllegalArgumentException(end);
            }
            System.out.println(end);
        }
    }

    static void commitMany(String bootstrap, String prefix, int groups, String topic, int partitions,
                           int rounds) throws Exception {
        long n = 0;
        try (Admin admin = admin(bootstrap)) {
            for (int round = 1; round <= rounds; round++) {
                List<KafkaFuture<Void>> pending = new ArrayList<>();
                for (int g = 0; g < groups; g++) {
                    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                    for (int part = 0; part < partitions; part++) {
                        offsets.put(new TopicPartition(topic, part), new OffsetAndMetadata(round));
                    }
                    pending.add(admin.alterConsumerGroupOffsets(prefix + "-" + g, offsets).all());
                    n += partitions;
                    if (pending.size() >= 256) {
                        for (var f : pending) f.get();
                        pending.clear();
                    }
                }
                for (var f : pending) f.get();
            }
        }
        System.out.println(n);
    }

    static void benchLoad(String bootstrap, int topics, int partitions, int records, int groups,
                          int rounds) throws Exception {
        long started = System.nanoTime();
        Properties ap = props();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // Large commits queue up behind each other on two busy cores: be patient.
        ap.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "60000");
        ap.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "300000");
        long n = 0;
        try (Admin admin = Admin.create(ap)) {
            List<NewTopic> create = new ArrayList<>();
            for (int t = 0; t < topics; t++) create.add(new NewTopic("t" + t, partitions, (short) 1));
            try {
                admin.createTopics(create).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) throw e;
            }
            Properties pp = props();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
            pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            byte[] payload = new byte[16];
            // Sends to partitions whose leader the producer does not know yet can expire
            // silently, so it tops every partition up to RECORDS until the heads say so.
            for (int attempt = 0; ; attempt++) {
                Map<TopicPartition, Long> short_ = new HashMap<>();
                for (var e : heads(admin, topics, partitions).entrySet()) {
                    if (e.getValue() < records) short_.put(e.getKey(), records - e.getValue());
                }
                if (short_.isEmpty()) break;
                if (attempt == 5) throw new IllegalStateException("partitions still short: " + short_);
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
                    for (var e : short_.entrySet())
                        for (long r = 0; r < e.getValue(); r++)
                            producer.send(new ProducerRecord<>(e.getKey().topic(), e.getKey().partition(), null, payload));
                    producer.flush();
                }
            }
            System.err.printf("data written at %.1fs%n", (System.nanoTime() - started) / 1e9);
            // The group written last to each offsets partition: its final commit is the last
            // record there, so a reader that shows it has read everything before it.
            // Looking up a group's coordinator creates __consumer_offsets if it is missing.
            admin.listConsumerGroupOffsets(group(0)).partitionsToOffsetAndMetadata().get();
            int offsetsPartitions = admin.describeTopics(List.of("__consumer_offsets")).allTopicNames()
                    .get().get("__consumer_offsets").partitions().size();
            Map<Integer, Integer> lastOf = new HashMap<>();
            for (int g = 0; g < groups; g++) lastOf.put(offsetsPartition(group(g), offsetsPartitions), g);
            Set<Integer> sentinels = new HashSet<>(lastOf.values());
            for (int round = 0; round < rounds; round++) {
                // Rounds are barriers (a group's commits land in order); within a round up to
                // 64 groups are in flight. The last round commits the sentinels after the rest.
                boolean last = round == rounds - 1;
                for (int phase = 0; phase < (last ? 2 : 1); phase++) {
                    List<KafkaFuture<Void>> pending = new ArrayList<>();
                    for (int g = 0; g < groups; g++) {
                        if (last && sentinels.contains(g) != (phase == 1)) continue;
                        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                        for (int t = 0; t < topics; t++) {
                            for (int part = 0; part < partitions; part++) {
                                long progress = (long) records * (round + 1) / rounds;
                                long o = Math.max(progress - (g + t * partitions + part) % 10, 0);
                                offsets.put(new TopicPartition("t" + t, part), new OffsetAndMetadata(o));
                            }
                        }
                        pending.add(admin.alterConsumerGroupOffsets(group(g), offsets).all());
                        n += offsets.size();
                        if (pending.size() >= 64) {
                            for (var f : pending) f.get();
                            pending.clear();
                        }
                    }
                    for (var f : pending) f.get();
                }
            }
        }
        System.err.printf("%d commits written at %.1fs%n", n, (System.nanoTime() - started) / 1e9);
        System.out.println(n);
    }

    static String group(int g) {
        return String.format("group-%04d", g);
    }

    /** Every partition's HEAD, asked until all partitions have a leader. */
    static Map<TopicPartition, Long> heads(Admin admin, int topics, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
        for (int t = 0; t < topics; t++)
            for (int part = 0; part < partitions; part++) ask.put(new TopicPartition("t" + t, part), OffsetSpec.latest());
        for (int attempt = 0; ; attempt++) {
            try {
                Map<TopicPartition, Long> out = new HashMap<>();
                admin.listOffsets(ask).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
                return out;
            } catch (ExecutionException e) {
                if (attempt == 100) throw e;
                Thread.sleep(200);
            }
        }
    }

    /** The group coordinator's rule: Utils.abs(hashCode) % partitions (not the & 0x7fffffff mask). */
    static int offsetsPartition(String group, int partitions) {
        return org.apache.kafka.common.utils.Utils.abs(group.hashCode()) % partitions;
    }
}
