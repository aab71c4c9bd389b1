using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using Akka.Actor;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Serialization;

namespace DistCacheAkka.Tests.Unit.Serialization;

// Shared test data and helpers of the serializer specs: named samples of every protocol record (edge values
// included), the reflection list of concrete ICacheMessage types, and a structural description of a message
// (records holding byte[] or lists compare by reference, so equality of records proves nothing).
internal static class ProtocolSamples
{
    private static readonly DateTimeOffset IndiaNoon = new(2024, 2, 29, 12, 0, 0, 123, TimeSpan.FromHours(5.5));
    private static readonly DateTimeOffset PacificFar = new(2099, 12, 31, 23, 59, 59, TimeSpan.FromHours(-14));

    private static readonly byte[] Hundred = Enumerable.Range(0, 100).Select(i => (byte)(i * 7)).ToArray();

    // WIRE INVARIANT: these strings are on the wire; this table must only ever grow.
    public static readonly IReadOnlyDictionary<Type, string> FrozenManifests = new Dictionary<Type, string>
    {
        [typeof(Get)] = "G",
        [typeof(GetSuccess)] = "GS",
        [typeof(NotFound)] = "GN",
        [typeof(GetFailure)] = "GF",
        [typeof(Set)] = "S",
        [typeof(SetSuccess)] = "SS",
        [typeof(SetFailure)] = "SF",
        [typeof(Remove)] = "R",
        [typeof(RemoveSuccess)] = "RS",
        [typeof(RemoveFailure)] = "RF",
        [typeof(GetMany)] = "GM",
        [typeof(GetManySuccess)] = "GMS",
        [typeof(GetManyFailure)] = "GMF",
        [typeof(SetMany)] = "SM",
        [typeof(SetManySuccess)] = "SMS",
        [typeof(SetManyFailure)] = "SMF",
        [typeof(GetCacheStats)] = "ST",
        [typeof(CacheStats)] = "STS",
        [typeof(NodeJoined)] = "EJ",
        [typeof(NodeLeft)] = "EL",
        [typeof(KeyInvalidated)] = "EK",
        [typeof(ReplicationComplete)] = "ER",
        [typeof(FailoverOccurred)] = "EF",
        [typeof(RebalancingProgress)] = "EB",
        [typeof(ReplicateEntries)] = "XE",
        [typeof(ReplicateAck)] = "XA",
        [typeof(ReadReplicaKeys)] = "XR",
        [typeof(ReplicaKeysRead)] = "XRR",
        [typeof(ShardDigest)] = "XD",
        [typeof(DigestMismatch)] = "XDM",
        [typeof(ReplaceBuckets)] = "XB",
        [typeof(RequestShardCopy)] = "XC",
        [typeof(ShardCopy)] = "XCC",
        [typeof(ShardMoved)] = "XM",
        [typeof(MemoryPressure)] = "XP",
        [typeof(ReplicaBatch)] = "XX",
        [typeof(ReplicaBatchReply)] = "XXR",
        [typeof(CoalescedRequests)] = "CQ",
        [typeof(CoalescedReplies)] = "CR",
        [typeof(RegisterClient)] = "TR",
        [typeof(NodeTopology)] = "TNP", // "TN" until the data plane: still read, see ReadOnlyManifests
        [typeof(SubscribeClientEvents)] = "TE",
        [typeof(ClientEventsSubscribed)] = "TES",
        [typeof(UnsubscribeClientEvents)] = "TU",
        [typeof(NearGet)] = "NG",
        [typeof(NearGetSuccess)] = "NGS",
        [typeof(SubscribeInvalidations)] = "NS",
        [typeof(NearCacheFeed)] = "NF",
    };

    /// <summary>Every sample by a readable unique name (theory data uses the name, so each is its own test case).</summary>
    // WIRE INVARIANT: superseded layouts that are still read (older senders) but never written: the manifest → the
    // manifest its messages are written with now, whose layout appends fields to it. Only ever grows.
    public static readonly IReadOnlyDictionary<string, string> ReadOnlyManifests = new Dictionary<string, string>
    {
        ["TN"] = "TNP", // NodeTopology before DataPort
    };

    /// <summary>The manifest a message decoded from <paramref name="manifest"/> is written with.</summary>
    public static string CurrentManifest(string manifest) => ReadOnlyManifests.GetValueOrDefault(manifest, manifest);

    /// <summary>Encodings in the superseded layout of <paramref name="manifest"/>, built from the samples: the current
    /// encoding of each sample whose appended fields are zero (one byte each), without them.</summary>
    public static List<byte[]> ReadOnlyEncodings(string manifest, CacheProtocolSerializer serializer) => manifest switch
    {
        "TN" => All.Values.OfType<NodeTopology>().Where(t => t.DataPort == 0).Select(t => serializer.ToBinary(t)[..^1]).ToList(),
        _ => throw new ArgumentException($"no superseded layout {manifest}", nameof(manifest)),
    };

    public static readonly IReadOnlyDictionary<string, ICacheMessage> All = Build();

    public static IEnumerable<object[]> Names => All.Keys.Select(name => new object[] { name });

    /// <summary>Concrete (instantiable) types of the Messages assembly implementing <see cref="ICacheMessage"/>.</summary>
    public static IReadOnlyList<Type> ConcreteMessageTypes { get; } = typeof(ICacheMessage).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && !t.IsInterface && typeof(ICacheMessage).IsAssignableFrom(t))
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToArray();

    public static IEnumerable<object[]> ConcreteMessageTypeData => ConcreteMessageTypes.Select(t => new object[] { t });

    private static Dictionary<string, ICacheMessage> Build()
    {
        var unicodeKey = "ключ/キー/鍵/🔑/é";
        var longUnicodeKey = string.Concat(Enumerable.Repeat("ü🔑x", 100)); // > 127 UTF-8 bytes: two-byte prefix
        var bigValue = new byte[300_000];
        new Random(1).NextBytes(bigValue);
        var maxVersion = new EntryVersion(long.MaxValue, long.MaxValue);
        var minVersion = new EntryVersion(long.MinValue, long.MinValue);
        var node1 = "akka.tcp://distcache@10.0.0.1:4053";
        var node2 = "akka.tcp://distcache@10.0.0.2:4053";
        // Replica entries: a live value with an absolute deadline, a tombstone, a sliding one at the far end of the
        // DateTime range, the largest legal ticks, and the smallest possible encoding (8 bytes).
        var live = new ReplicaEntry("user:42", Hundred, new EntryVersion(3, 17), ExpiryKind.Absolute, 0,
            IndiaNoon.UtcTicks, false);
        var tombstone = new ReplicaEntry("gone", [], new EntryVersion(4, 1), ExpiryKind.None, 0, 0, true);
        var sliding = new ReplicaEntry(unicodeKey, [1, 2, 3], maxVersion, ExpiryKind.Sliding,
            TimeSpan.FromMinutes(5).Ticks, DateTime.MaxValue.Ticks, false);
        var maxTicks = new ReplicaEntry(longUnicodeKey, [255], minVersion, ExpiryKind.Sliding, long.MaxValue, long.MaxValue, true);
        var minimal = new ReplicaEntry("", [], EntryVersion.Zero, ExpiryKind.None, 0, 0, false);
        var digestRandom = new Random(2);
        var manyEntries = Enumerable.Range(0, 1000)
            .Select(i => new ReplicaEntry("key-" + i, new byte[i % 300], new EntryVersion(1, i), (ExpiryKind)(i % 3),
                i % 3 == 2 ? TimeSpan.TicksPerMinute : 0, i % 3 == 0 ? 0 : IndiaNoon.UtcTicks + i, i % 7 == 0))
            .ToArray();
        var consistencyNotMet = new CacheError(CacheErrorCode.ConsistencyNotMet, "2 of 3 acks in 3s", 2, 3, TimeSpan.FromSeconds(3));

        var samples = new Dictionary<string, ICacheMessage>
        {
            ["Get plain"] = new Get("user:42"),
            ["Get unicode strong"] = new Get(unicodeKey, ConsistencyLevel.Strong),
            ["Get empty key quorum"] = new Get("", ConsistencyLevel.Quorum),
            ["Get long unicode key"] = new Get(longUnicodeKey),
            ["GetSuccess 100 bytes"] = new GetSuccess("k", Hundred, new EntryVersion(3, 17)),
            ["GetSuccess empty value max version"] = new GetSuccess(unicodeKey, [], maxVersion),
            ["GetSuccess min version"] = new GetSuccess("k", [0], minVersion),
            ["NotFound"] = new NotFound("missing"),
            ["NotFound unicode"] = new NotFound(unicodeKey),
            ["GetFailure wrong shard"] = new GetFailure("k", new CacheError(CacheErrorCode.WrongShard, "shard 7 is not mine")),
            ["GetFailure unavailable negative timeout"] = new GetFailure("k",
                new CacheError(CacheErrorCode.Unavailable, "", int.MinValue, int.MaxValue, TimeSpan.FromTicks(-1))),
            ["Set 100 bytes absolute quorum"] = new Set("user:42", Hundred, CacheExpiry.After(TimeSpan.FromMinutes(5)), ConsistencyLevel.Quorum),
            ["Set empty value never"] = new Set("", [], CacheExpiry.Never),
            ["Set sliding strong"] = new Set(unicodeKey, [1, 2, 3], CacheExpiry.Sliding(TimeSpan.FromMilliseconds(1.5)), ConsistencyLevel.Strong),
            ["Set negative and extreme durations"] = new Set("k", [255], new CacheExpiry(ExpiryKind.Absolute, TimeSpan.MinValue)),
            ["Set max duration"] = new Set("k", [255], new CacheExpiry(ExpiryKind.Sliding, TimeSpan.MaxValue)),
            ["Set 300 KB value"] = new Set(longUnicodeKey, bigValue, CacheExpiry.Never),
            ["SetSuccess"] = new SetSuccess("k", new EntryVersion(1, 1)),
            ["SetSuccess negative version"] = new SetSuccess("k", new EntryVersion(-1, long.MinValue)),
            ["SetFailure consistency not met"] = new SetFailure("k", consistencyNotMet),
            ["SetFailure invalid"] = new SetFailure(unicodeKey, CacheError.Invalid("key too large")),
            ["Remove"] = new Remove("k"),
            ["Remove strong"] = new Remove(unicodeKey, ConsistencyLevel.Strong),
            ["RemoveSuccess existed"] = new RemoveSuccess("k", true, new EntryVersion(2, 5)),
            ["RemoveSuccess absent"] = new RemoveSuccess("k", false, EntryVersion.Zero),
            ["RemoveFailure"] = new RemoveFailure("k", new CacheError(CacheErrorCode.Unknown, "boom")),
            ["GetMany"] = new GetMany(17, ["a", "b", unicodeKey], ConsistencyLevel.Quorum),
            ["GetMany empty"] = new GetMany(0, []),
            ["GetMany extreme shard ids"] = new GetMany(int.MinValue, [""], ConsistencyLevel.Strong),
            ["GetManySuccess"] = new GetManySuccess(int.MaxValue,
                [new CacheItem("a", Hundred, new EntryVersion(1, 2)), new CacheItem(unicodeKey, [], maxVersion)],
                ["b", "c"]),
            ["GetManySuccess empty"] = new GetManySuccess(3, [], []),
            ["GetManyFailure"] = new GetManyFailure(4, ["a", "b"], consistencyNotMet),
            ["GetManyFailure empty keys"] = new GetManyFailure(-4, [], new CacheError(CacheErrorCode.InvalidRequest, "no keys")),
            ["SetMany"] = new SetMany(5, [new KeyValue("a", Hundred), new KeyValue(unicodeKey, [])],
                CacheExpiry.After(TimeSpan.FromDays(1)), ConsistencyLevel.Strong),
            ["SetMany empty"] = new SetMany(5, [], CacheExpiry.Never),
            ["SetMany 1000 items"] = new SetMany(6,
                Enumerable.Range(0, 1000).Select(i => new KeyValue("key-" + i, new byte[i % 300])).ToArray(),
                CacheExpiry.Sliding(TimeSpan.FromSeconds(30)), ConsistencyLevel.Quorum),
            ["SetManySuccess"] = new SetManySuccess(7, 1000, new EntryVersion(9, 123456789)),
            ["SetManySuccess extremes"] = new SetManySuccess(int.MinValue, int.MaxValue, minVersion),
            ["SetManyFailure"] = new SetManyFailure(8, ["x", unicodeKey], new CacheError(CacheErrorCode.Unavailable, "recovering")),
            ["GetCacheStats"] = GetCacheStats.Instance,
            ["CacheStats"] = new CacheStats("akka.tcp://distcache@10.0.0.1:4053", 10, 11, 12_345_678, 100, 5, 105, 50, 3, 2, 1, 64, 0, 150_000_000, 201_326_592),
            ["CacheStats extremes"] = new CacheStats("", long.MaxValue, long.MinValue, -1, 0, 1, long.MaxValue, long.MinValue,
                2, -2, 3, int.MinValue, long.MaxValue, long.MinValue, long.MaxValue),
            ["NodeJoined"] = new NodeJoined("akka.tcp://distcache@10.0.0.2:4053", ["cache", "seed"], IndiaNoon),
            ["NodeJoined no roles min time"] = new NodeJoined("a", [], DateTimeOffset.MinValue),
            ["NodeLeft graceful"] = new NodeLeft("a", NodeLeftReason.Graceful, PacificFar),
            ["NodeLeft downed max time"] = new NodeLeft("b", NodeLeftReason.Downed, DateTimeOffset.MaxValue),
            ["KeyInvalidated removed"] = new KeyInvalidated("k", InvalidationReason.Removed, new EntryVersion(1, 9), IndiaNoon),
            ["KeyInvalidated overwritten"] = new KeyInvalidated(unicodeKey, InvalidationReason.Overwritten, maxVersion,
                new DateTimeOffset(1, 1, 1, 14, 0, 0, TimeSpan.FromHours(14))),
            ["KeyInvalidated expired"] = new KeyInvalidated("k", InvalidationReason.Expired, minVersion, DateTimeOffset.UnixEpoch),
            ["KeyInvalidated evicted"] = new KeyInvalidated("k", InvalidationReason.Evicted, EntryVersion.Zero, IndiaNoon),
            ["ReplicationComplete"] = new ReplicationComplete("k", new EntryVersion(2, 2), 3, IndiaNoon),
            ["ReplicationComplete extremes"] = new ReplicationComplete("", minVersion, int.MinValue, PacificFar),
            ["FailoverOccurred"] = new FailoverOccurred(12, "akka.tcp://a@h1:1", "akka.tcp://a@h2:2", 4096, IndiaNoon),
            ["FailoverOccurred extremes"] = new FailoverOccurred(int.MaxValue, "", unicodeKey, long.MinValue, DateTimeOffset.MaxValue),
            ["RebalancingProgress"] = new RebalancingProgress(3, 10, 12_000, IndiaNoon),
            ["RebalancingProgress extremes"] = new RebalancingProgress(int.MinValue, int.MaxValue, long.MaxValue, DateTimeOffset.MinValue),
            ["ReplicateEntries one entry"] = new ReplicateEntries(7, 1, node1, [live]),
            ["ReplicateEntries tombstone and edge entries"] = new ReplicateEntries(12, 99, node1, [tombstone, sliding, minimal]),
            ["ReplicateEntries max longs"] = new ReplicateEntries(int.MaxValue, long.MaxValue, unicodeKey, [maxTicks]),
            ["ReplicateEntries empty"] = new ReplicateEntries(0, 0, "", []),
            ["ReplicateEntries 300 KB value"] = new ReplicateEntries(1, 2, node1,
                [new ReplicaEntry("big", bigValue, new EntryVersion(1, 1), ExpiryKind.None, 0, 0, false)]),
            ["ReplicateEntries 1000 entries"] = new ReplicateEntries(3, 4, node1, manyEntries),
            ["ReplicateAck"] = new ReplicateAck(7, 1, node2),
            ["ReplicateAck extremes"] = new ReplicateAck(int.MaxValue, long.MaxValue, ""),
            ["ReadReplicaKeys"] = new ReadReplicaKeys(3, 99, ["a", unicodeKey, ""]),
            ["ReadReplicaKeys empty"] = new ReadReplicaKeys(0, long.MaxValue, []),
            ["ReplicaKeysRead"] = new ReplicaKeysRead(3, 99, node2, [live, tombstone]),
            ["ReplicaKeysRead none held"] = new ReplicaKeysRead(int.MaxValue, 0, "", []),
            ["ReplicaKeysRead max longs"] = new ReplicaKeysRead(0, long.MaxValue, unicodeKey, [maxTicks, minimal]),
            ["ShardDigest"] = new ShardDigest(5, 10, node1, [0UL, 1UL, 0x0123456789ABCDEFUL, 1UL << 63, ulong.MaxValue]),
            ["ShardDigest empty"] = new ShardDigest(0, 0, "", []),
            ["ShardDigest 1024 buckets"] = new ShardDigest(int.MaxValue, long.MaxValue, node1,
                Enumerable.Range(0, 1024).Select(_ => (ulong)digestRandom.NextInt64() ^ ((ulong)digestRandom.Next(2) << 63)).ToArray()),
            ["DigestMismatch"] = new DigestMismatch(5, 10, "replica", [0, 3, 127, 128, int.MaxValue]),
            ["DigestMismatch in sync"] = new DigestMismatch(0, long.MaxValue, "", []),
            ["ReplaceBuckets"] = new ReplaceBuckets(5, 11, node1, 64, [3, 17], [live, tombstone]),
            ["ReplaceBuckets empty"] = new ReplaceBuckets(0, 0, "", 0, [], []),
            ["ReplaceBuckets buckets without entries"] = new ReplaceBuckets(5, 12, node1, 1024, [0, 1023], []),
            ["ReplaceBuckets extremes"] = new ReplaceBuckets(int.MaxValue, long.MaxValue, unicodeKey, int.MaxValue,
                [int.MaxValue, 0], [maxTicks, minimal]),
            ["ReplaceBuckets 1000 entries"] = new ReplaceBuckets(6, 13, node1, 64, Enumerable.Range(0, 64).ToArray(), manyEntries),
            ["RequestShardCopy"] = new RequestShardCopy(9, 1, node1),
            ["RequestShardCopy extremes"] = new RequestShardCopy(int.MaxValue, long.MaxValue, ""),
            ["ShardCopy"] = new ShardCopy(9, 1, node2, 4, 0, false, [live, sliding], node2),
            ["ShardCopy empty last chunk"] = new ShardCopy(9, 1, node2, 0, 0, true, []),
            ["ShardCopy extremes"] = new ShardCopy(int.MaxValue, long.MaxValue, unicodeKey, long.MaxValue, int.MaxValue, true,
                [maxTicks, tombstone]),
            ["ShardCopy negative epoch"] = new ShardCopy(0, 0, "", long.MinValue, 1, false, [minimal]),
            ["ShardMoved"] = new ShardMoved(9, node1, node2, 97),
            ["ShardMoved extremes"] = new ShardMoved(int.MaxValue, "", unicodeKey, long.MaxValue),
            ["MemoryPressure"] = new MemoryPressure(9, node2, 201_326_592, 201_326_592),
            ["MemoryPressure extremes"] = new MemoryPressure(int.MaxValue, unicodeKey, long.MaxValue, 0),
            ["ReplicaBatch every kind"] = new ReplicaBatch(1,
            [
                new ReplicateEntries(7, 1, node1, [live, tombstone]), new ReplicateAck(7, 1, node2), new ReadReplicaKeys(3, 99, ["a", unicodeKey]),
                new ReplicaKeysRead(3, 99, node2, [sliding]), new ShardDigest(5, 10, node1, [0UL, ulong.MaxValue]),
                new DigestMismatch(5, 10, "replica", [0, 127]), new ReplaceBuckets(5, 11, node1, 64, [3, 17], [minimal]),
                new RequestShardCopy(9, 1, node1), new ShardCopy(9, 1, node2, -4, 2, true, [maxTicks], node1),
                new ShardMoved(9, node1, node2, 97), new MemoryPressure(9, node2, 201_326_592, 201_326_592),
            ]),
            ["ReplicaBatch empty"] = new ReplicaBatch(long.MaxValue, []),
            ["ReplicaBatch 1000 writes"] = new ReplicaBatch(3,
                manyEntries.Select((entry, i) => (IReplicationMessage)new ReplicateEntries(i % 128, i, node1, [entry])).ToArray()),
            ["ReplicaBatchReply"] = new ReplicaBatchReply(1, true,
                [new ReplicaReply(0, new ReplicateAck(7, 1, node2)), new ReplicaReply(0, new MemoryPressure(7, node2, 10, 5)),
                 new ReplicaReply(int.MaxValue, new DigestMismatch(5, 10, node2, []))]),
            ["ReplicaBatchReply empty, not last"] = new ReplicaBatchReply(0, false, []),
            ["CoalescedRequests every command kind"] = new CoalescedRequests(TimeSpan.FromSeconds(5),
            [
                new CorrelatedCommand(1, new Get("user:42", ConsistencyLevel.Quorum)),
                new CorrelatedCommand(2, new Set(unicodeKey, Hundred, CacheExpiry.Sliding(TimeSpan.FromMinutes(1)), ConsistencyLevel.Strong)),
                new CorrelatedCommand(long.MaxValue, new Remove("")),
                new CorrelatedCommand(0, new Get(longUnicodeKey)),
                new CorrelatedCommand(3, new GetMany(12, ["a", unicodeKey], ConsistencyLevel.Strong)),
                new CorrelatedCommand(4, new SetMany(int.MaxValue, [new KeyValue("a", Hundred)], CacheExpiry.After(TimeSpan.FromSeconds(9)), ConsistencyLevel.Eventual)),
            ]),
            ["CoalescedRequests empty negative timeout"] = new CoalescedRequests(TimeSpan.FromTicks(-1), []),
            ["CoalescedRequests 300 KB value"] = new CoalescedRequests(TimeSpan.MaxValue,
                [new CorrelatedCommand(7, new Set("big", bigValue, CacheExpiry.Never))]),
            ["CoalescedReplies every reply kind"] = new CoalescedReplies(
            [
                new CorrelatedReply(1, new GetSuccess("a", Hundred, new EntryVersion(3, 17))),
                new CorrelatedReply(2, new NotFound(unicodeKey)),
                new CorrelatedReply(3, new GetFailure("k", consistencyNotMet)),
                new CorrelatedReply(4, new SetSuccess("k", maxVersion)),
                new CorrelatedReply(5, new SetFailure("k", CacheError.Invalid("value too large"))),
                new CorrelatedReply(6, new RemoveSuccess("k", true, minVersion)),
                new CorrelatedReply(long.MaxValue, new RemoveFailure("", new CacheError(CacheErrorCode.Unavailable, "recovering"))),
                new CorrelatedReply(8, new GetManySuccess(12, [new CacheItem("a", Hundred, maxVersion)], [unicodeKey])),
                new CorrelatedReply(9, new GetManyFailure(12, ["a"], consistencyNotMet)),
                new CorrelatedReply(10, new SetManySuccess(3, 2, minVersion)),
                new CorrelatedReply(11, new SetManyFailure(3, ["a", "b"], CacheError.Invalid("too big"))),
            ]),
            ["CoalescedReplies empty"] = new CoalescedReplies([]),
            ["RegisterClient"] = RegisterClient.Instance,
            ["NodeTopology"] = new NodeTopology(node1, 638_700_000_000_000_000, [node1, node2], [node2], [0, 5, 1023]),
            ["NodeTopology empty"] = new NodeTopology("", 0, [], [], []),
            ["NodeTopology with a data port"] = new NodeTopology(node1, 7, [node1], [], [3], 4061),
            ["NodeTopology with the highest data port"] = new NodeTopology(node1, 7, [node1], [], [], 65535),
            ["SubscribeClientEvents every kind"] = new SubscribeClientEvents(Enum.GetValues<CacheEventKind>()),
            ["SubscribeClientEvents none"] = new SubscribeClientEvents([]),
            ["ClientEventsSubscribed"] = ClientEventsSubscribed.Instance,
            ["UnsubscribeClientEvents"] = UnsubscribeClientEvents.Instance,
            ["NearGet"] = new NearGet(unicodeKey),
            ["NearGetSuccess"] = new NearGetSuccess("k", Hundred, maxVersion, long.MinValue, TimeSpan.FromSeconds(30)),
            ["NearGetSuccess not cacheable"] = new NearGetSuccess("", [], minVersion, 0, TimeSpan.Zero),
            ["SubscribeInvalidations"] = SubscribeInvalidations.Instance,
            ["NearCacheFeed every change kind and a snapshot"] = new NearCacheFeed(node1, long.MaxValue,
            [
                new StreamChange(StreamChangeKind.Started, 0, -7, 0, "", EntryVersion.Zero),
                new StreamChange(StreamChangeKind.Invalidated, 1023, long.MaxValue, 1, unicodeKey, maxVersion),
                new StreamChange(StreamChangeKind.Stopped, 5, 42, long.MaxValue, "", EntryVersion.Zero),
            ], true, [new ShardStream(0, -7, 0), new ShardStream(1023, long.MinValue, long.MaxValue)]),
            ["NearCacheFeed heartbeat"] = new NearCacheFeed("", 1, []),
            ["NearCacheFeed empty snapshot"] = new NearCacheFeed(node2, 2, [], true, []),
            ["CoalescedRequests near get"] = new CoalescedRequests(TimeSpan.FromSeconds(1), [new CorrelatedCommand(7, new NearGet("k"))]),
            ["CoalescedReplies near get"] = new CoalescedReplies([new CorrelatedReply(7, new NearGetSuccess("k", Hundred, maxVersion, 99, TimeSpan.Zero))]),
        };
        return samples;
    }

    /// <summary>
    /// A deterministic, complete text form of a value: type names, every public instance property, byte arrays as
    /// hex, lists element by element, timestamps with their offset. Two messages are structurally equal exactly
    /// when their descriptions are, and Assert.Equal on the texts shows where they differ.
    /// </summary>
    public static string Describe(object? value)
    {
        var text = new StringBuilder();
        Describe(value, text, "message", nulls: null);
        return text.ToString();
    }

    /// <summary>The paths of every null found inside <paramref name="value"/> (protocol messages carry none).</summary>
    public static List<string> FindNulls(object? value)
    {
        var nulls = new List<string>();
        Describe(value, new StringBuilder(), "message", nulls);
        return nulls;
    }

    private static void Describe(object? value, StringBuilder text, string path, List<string>? nulls)
    {
        switch (value)
        {
            case null:
                nulls?.Add(path);
                text.Append("<null>");
                return;
            case string s:
                text.Append('"').Append(s).Append('"');
                return;
            case byte[] bytes:
                text.Append("0x").Append(Convert.ToHexString(bytes));
                return;
            case DateTimeOffset time:
                // "O" keeps all 7 fractional digits and the offset, which DateTimeOffset.Equals ignores.
                text.Append(time.ToString("O", CultureInfo.InvariantCulture));
                return;
            case TimeSpan span:
                text.Append(span.Ticks).Append("ticks");
                return;
            case Enum e:
                text.Append(e).Append('(').Append(Convert.ToInt64(e, CultureInfo.InvariantCulture)).Append(')');
                return;
            case IFormattable primitive when value.GetType().IsPrimitive:
                text.Append(primitive.ToString(null, CultureInfo.InvariantCulture));
                return;
            case IEnumerable list:
                text.Append('[');
                var index = 0;
                foreach (var item in list)
                {
                    if (index > 0)
                        text.Append(", ");
                    Describe(item, text, $"{path}[{index}]", nulls);
                    index++;
                }
                text.Append(']');
                return;
        }

        var type = value.GetType();
        text.Append(type.Name).Append(" {");
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.GetIndexParameters().Length == 0)
                     .OrderBy(p => p.MetadataToken))
        {
            text.Append(' ').Append(property.Name).Append('=');
            Describe(property.GetValue(value), text, path + "." + property.Name, nulls);
        }
        text.Append(" }");
    }
}

/// <summary>One serializer for a test class; the actor system exists only because the serializer's base class
/// takes one (the serializer does not use it).</summary>
public sealed class SerializerFixture : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer-specs");

    public SerializerFixture() => Serializer = new CacheProtocolSerializer((ExtendedActorSystem)_system);

    public CacheProtocolSerializer Serializer { get; }

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));
}
