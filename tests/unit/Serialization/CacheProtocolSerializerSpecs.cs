using System.Runtime.Serialization;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Serialization;

namespace DistCacheAkka.Tests.Unit.Serialization;

// Verifies the wire serializer's contract: every protocol record round-trips with identical contents (edge values
// included), every concrete ICacheMessage type has a manifest and a sample (so a new message cannot ship without
// serializer support), manifests / identifier / byte layout are frozen (they are a cross-version wire invariant),
// bad input on either side fails with the documented exception, and serializing allocates only the output.
public class CacheProtocolSerializerSpecs(SerializerFixture fixture) : IClassFixture<SerializerFixture>
{
    private readonly CacheProtocolSerializer _serializer = fixture.Serializer;

    public static IEnumerable<object[]> SampleNames => ProtocolSamples.Names;

    public static IEnumerable<object[]> MessageTypes => ProtocolSamples.ConcreteMessageTypeData;

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Should_round_trip_every_sample_with_identical_contents(string name)
    {
        var message = ProtocolSamples.All[name];

        var manifest = _serializer.Manifest(message);
        var bytes = _serializer.ToBinary(message);
        var decoded = _serializer.FromBinary(bytes, manifest);

        Assert.IsType(message.GetType(), decoded);
        Assert.Equal(ProtocolSamples.Describe(message), ProtocolSamples.Describe(decoded));
        // The encoding is canonical: re-encoding the decoded message gives the same bytes.
        Assert.Equal(bytes, _serializer.ToBinary(decoded));
    }

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void Should_support_every_concrete_protocol_type(Type type)
    {
        var sample = ProtocolSamples.All.Values.FirstOrDefault(m => m.GetType() == type);
        Assert.True(sample is not null,
            $"{type.Name} implements ICacheMessage but has no sample in ProtocolSamples: add samples, a manifest and an encoding.");
        Assert.True(ProtocolSamples.FrozenManifests.TryGetValue(type, out var frozen),
            $"{type.Name} has no frozen manifest in ProtocolSamples.FrozenManifests.");
        Assert.Equal(frozen, _serializer.Manifest(sample));
    }

    [Fact]
    public void Should_give_each_type_a_distinct_manifest()
    {
        var manifests = ProtocolSamples.ConcreteMessageTypes
            .Select(t => _serializer.Manifest(ProtocolSamples.All.Values.First(m => m.GetType() == t)))
            .ToList();

        Assert.Equal(manifests.Count, manifests.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(ProtocolSamples.FrozenManifests.Count, ProtocolSamples.ConcreteMessageTypes.Count);
    }

    [Fact]
    public void Should_have_the_frozen_identifier_517()
    {
        Assert.Equal(517, CacheProtocolSerializer.Id);
        Assert.Equal(517, _serializer.Identifier);
        Assert.True(_serializer.IncludeManifest);
    }

    // Golden encodings: if one of these changes, an older node can no longer read the new bytes (or vice versa).
    [Theory]
    [InlineData("Get plain", "07757365723A343200")]
    [InlineData("GetCacheStats", "")]
    [InlineData("RemoveSuccess existed", "016B01040A")]
    [InlineData("GetMany empty", "000000")]
    [InlineData("SetManySuccess", "0ED00F12AAB4DE75")]
    [InlineData("ReplicateEntries empty", "00000000")]
    // int.MaxValue and long.MaxValue zig-zag to 2^32-2 and 2^64-2: 5 and 10 varint bytes.
    [InlineData("ReplicateAck extremes", "FEFFFFFF0F" + "FEFFFFFFFFFFFFFFFF01" + "00")]
    // shard 5, request 10, "replica", 5 buckets: 0, 3, 127 (FE01), 128 (8002), int.MaxValue
    [InlineData("DigestMismatch", "0A14" + "077265706C696361" + "05" + "0006FE018002FEFFFFFF0F")]
    // shard 9, request 1, the address of node 2 (34 bytes), epoch 0, chunk 0, last, no entries
    [InlineData("ShardCopy empty last chunk", "1202" + "22" + "616B6B612E7463703A2F2F6469737463616368654031302E302E302E323A34303533" + "00000100" + "00")]
    // shard 9, the addresses of node 1 and node 2 (34 bytes each), 97 keys (zig-zag 194 = C2 01)
    [InlineData("ShardMoved", "12" + "22" + "616B6B612E7463703A2F2F6469737463616368654031302E302E302E313A34303533"
                              + "22" + "616B6B612E7463703A2F2F6469737463616368654031302E302E302E323A34303533" + "C201")]
    public void Should_keep_the_wire_format_of_pinned_messages(string name, string expectedHex)
    {
        Assert.Equal(expectedHex, Convert.ToHexString(_serializer.ToBinary(ProtocolSamples.All[name])));
    }

    [Fact]
    public void Should_pin_the_full_encoding_of_a_set_and_an_event()
    {
        var set = new Set("k", [0xAB], new CacheExpiry(ExpiryKind.Sliding, TimeSpan.FromTicks(-2)), ConsistencyLevel.Strong);
        // key: len 1 'k' | value: len 1 AB | expiry: kind 2, ticks -2 → zig-zag 3 | consistency 2
        Assert.Equal("016B01AB020302", Convert.ToHexString(_serializer.ToBinary(set)));

        // Local ticks 300 at offset -90 min, so UTC ticks are 300 + 90 min.
        var left = new NodeLeft("a", NodeLeftReason.Downed, new DateTimeOffset(300, TimeSpan.FromMinutes(-90)));
        var utcTicks = 300 + 90 * TimeSpan.TicksPerMinute;
        Assert.Equal(utcTicks, left.Timestamp.UtcTicks);
        // address: len 1 'a' | reason 1 | UTC ticks as varint | offset -90 → zig-zag 179 = B3 01
        Assert.Equal("016101" + Varint((ulong)utcTicks) + "B301", Convert.ToHexString(_serializer.ToBinary(left)));
    }

    [Fact]
    public void Should_pin_the_full_encoding_of_coalesced_envelopes()
    {
        var requests = new CoalescedRequests(TimeSpan.FromTicks(5),
            [new CorrelatedCommand(1, new Get("k", ConsistencyLevel.Quorum)), new CorrelatedCommand(300, new Remove("r"))]);
        // timeout 5 ticks → zig-zag 0A | count 2 | id 1 → 02, kind 0 (Get), key 'k', Quorum 1 |
        // id 300 → zig-zag 600 = D8 04, kind 2 (Remove), key 'r', Eventual 0
        Assert.Equal("0A" + "02" + "02" + "00" + "016B" + "01" + "D804" + "02" + "0172" + "00",
            Convert.ToHexString(_serializer.ToBinary(requests)));

        var replies = new CoalescedReplies([new CorrelatedReply(2, new NotFound("k")), new CorrelatedReply(3, new SetSuccess("s", new EntryVersion(1, 2)))]);
        // count 2 | id 2 → 04, kind 1 (NotFound), key 'k' | id 3 → 06, kind 3 (SetSuccess), key 's', version 1, 2 → 02 04
        Assert.Equal("02" + "04" + "01" + "016B" + "06" + "03" + "0173" + "0204", Convert.ToHexString(_serializer.ToBinary(replies)));
    }

    [Fact]
    public void Should_refuse_a_coalesced_envelope_holding_anything_but_commands_and_their_replies()
    {
        var reply = Assert.Throws<SerializationException>(() => _serializer.ToBinary(
            new CoalescedReplies([new CorrelatedReply(1, new NotFound("k")), new CorrelatedReply(2, new Get("k"))])));
        Assert.Contains("CoalescedReplies.Replies[1]", reply.Message);
        Assert.Contains("Get", reply.Message);

        // Kind bytes beyond the defined ones are malformed input: a NearGet's kind 5 is the last command kind, and
        // NearGetSuccess's 11 the last reply kind.
        var command = Assert.Throws<SerializationException>(() => _serializer.FromBinary(Convert.FromHexString("00" + "01" + "02" + "06" + "016B00"), "CQ"));
        Assert.Contains("CoalescedCommandKind", command.Message);
        var kind = Assert.Throws<SerializationException>(() => _serializer.FromBinary(Convert.FromHexString("01" + "02" + "0C" + "016B"), "CR"));
        Assert.Contains("CoalescedReplyKind", kind.Message);
    }

    [Fact]
    public void Should_refuse_an_event_subscription_naming_an_undefined_kind()
    {
        // One kind, 6: RebalancingProgress (5) is the last defined one.
        var error = Assert.Throws<SerializationException>(() => _serializer.FromBinary(Convert.FromHexString("01" + "0C"), "TE"));
        Assert.Contains("SubscribeClientEvents.Kinds[0]", error.Message);
        Assert.Equal([CacheEventKind.RebalancingProgress],
            ((SubscribeClientEvents)_serializer.FromBinary(Convert.FromHexString("01" + "0A"), "TE")).Kinds);
    }

    [Fact]
    public void Should_pin_the_full_encoding_of_replication_messages()
    {
        var replicate = new ReplicateEntries(1, 2, "p",
            [new ReplicaEntry("k", [0xAB], new EntryVersion(1, 3), ExpiryKind.Sliding, 5, 1000, false)]);
        // shard 1 → 02 | batch 2 → 04 | primary: len 1 'p' | count 1 | key: len 1 'k' | value: len 1 AB |
        // version 1, 3 → 02 06 | kind 2 | sliding 5 → 0A | deadline 1000 → zig-zag 2000 = D0 0F | tombstone 0
        Assert.Equal("02" + "04" + "0170" + "01" + "016B" + "01AB" + "0206" + "02" + "0A" + "D00F" + "00",
            Convert.ToHexString(_serializer.ToBinary(replicate)));

        // Digests are fixed 8 bytes, little-endian (least significant byte first).
        var digest = new ShardDigest(1, 2, "p", [0x0102030405060708UL, ulong.MaxValue]);
        Assert.Equal("02" + "04" + "0170" + "02" + "0807060504030201" + "FFFFFFFFFFFFFFFF",
            Convert.ToHexString(_serializer.ToBinary(digest)));

        // bucket count 64 → 80 01 (zig-zag 128), buckets [3] → 01 06, no entries → 00
        var replace = new ReplaceBuckets(1, 2, "p", 64, [3], []);
        Assert.Equal("02" + "04" + "0170" + "8001" + "0106" + "00", Convert.ToHexString(_serializer.ToBinary(replace)));

        // A batch nests messages by kind: seq 5 → 0A | count 2 | kind 1 (ack): shard 1, batch 2, "p" | kind 9 (moved):
        // shard 1, "a", "b", keys 3 → 06.
        var batch = new ReplicaBatch(5, [new ReplicateAck(1, 2, "p"), new ShardMoved(1, "a", "b", 3)]);
        Assert.Equal("0A" + "02" + "01" + "02" + "04" + "0170" + "09" + "02" + "0161" + "0162" + "06",
            Convert.ToHexString(_serializer.ToBinary(batch)));

        // A reply: seq 5 → 0A | last 1 | count 1 | index 2 → 04 | kind 1 (ack): shard 1, batch 2, "r".
        var reply = new ReplicaBatchReply(5, true, [new ReplicaReply(2, new ReplicateAck(1, 2, "r"))]);
        Assert.Equal("0A" + "01" + "01" + "04" + "01" + "02" + "04" + "0172", Convert.ToHexString(_serializer.ToBinary(reply)));
    }

    [Fact]
    public void Should_refuse_a_replica_batch_nesting_a_batch_or_an_unknown_kind()
    {
        var nested = new ReplicaBatch(1, [new RequestShardCopy(1, 1, "p")]);
        var outer = new ReplicaBatch(2, [new NotReplication(nested)]);
        var error = Assert.Throws<SerializationException>(() => _serializer.ToBinary(outer));
        Assert.Contains("ReplicaBatch.Messages[0]", error.Message);
        Assert.Contains("only replication messages", error.Message);

        // kind 11 does not exist: seq 1, count 1, kind 0B.
        var unknown = Assert.Throws<SerializationException>(() => _serializer.FromBinary(Convert.FromHexString("02" + "01" + "0B" + "000000"), "XX"));
        Assert.Contains("ReplicaBatchKind", unknown.Message);
    }

    /// <summary>A message that claims to be a replication message but has no kind in a batch.</summary>
    private sealed record NotReplication(ReplicaBatch Inner) : IReplicationMessage
    {
        public int ShardId => 0;
    }

    [Fact]
    public void Should_reject_an_unknown_manifest_naming_it()
    {
        var error = Assert.Throws<SerializationException>(() => _serializer.FromBinary([1, 0x6B, 0], "ZZ-not-ours"));

        Assert.Contains("ZZ-not-ours", error.Message);
    }

    [Fact]
    public void Should_reject_null_payload_or_manifest_with_serialization_exception()
    {
        Assert.Throws<SerializationException>(() => _serializer.FromBinary(null!, "G"));
        Assert.Throws<SerializationException>(() => _serializer.FromBinary([1, 0x6B, 0], (string)null!));
    }

    [Fact]
    public void Should_refuse_to_serialize_a_non_protocol_object_naming_its_type()
    {
        var toBinary = Assert.ThrowsAny<ArgumentException>(() => _serializer.ToBinary(new Uri("http://example.org")));
        var manifest = Assert.ThrowsAny<ArgumentException>(() => _serializer.Manifest(new Uri("http://example.org")));

        Assert.Contains("System.Uri", toBinary.Message);
        Assert.Contains("System.Uri", manifest.Message);
        Assert.ThrowsAny<ArgumentException>(() => _serializer.ToBinary(null!));
    }

    public static TheoryData<string, ICacheMessage> NullFieldMessages => new()
    {
        { "Get.Key", new Get(null!) },
        { "Set.Value", new Set("k", null!, CacheExpiry.Never) },
        { "GetFailure.Error", new GetFailure("k", null!) },
        { "SetFailure.Error", new SetFailure("k", new CacheError(CacheErrorCode.Unknown, null!)) },
        { "GetMany.Keys", new GetMany(1, null!) },
        { "GetMany.Keys[1]", new GetMany(1, ["a", null!]) },
        { "GetManySuccess.Found[0]", new GetManySuccess(1, [null!], []) },
        { "GetManySuccess.Found", new GetManySuccess(1, [new CacheItem("a", null!, default)], []) },
        { "SetMany.Items", new SetMany(1, [new KeyValue(null!, [])], CacheExpiry.Never) },
        { "NodeJoined.Roles", new NodeJoined("a", null!, DateTimeOffset.UnixEpoch) },
        { "CacheStats.Node", new CacheStats(null!, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) },
        { "FailoverOccurred.ToNode", new FailoverOccurred(1, "a", null!, 0, DateTimeOffset.UnixEpoch) },
        { "ReplicateEntries.Primary", new ReplicateEntries(1, 1, null!, []) },
        { "ReplicateEntries.Entries", new ReplicateEntries(1, 1, "p", null!) },
        { "ReplicateEntries.Entries[1]", new ReplicateEntries(1, 1, "p", [Entry(), null!]) },
        { "ReplicateEntries.Entries", new ReplicateEntries(1, 1, "p", [Entry() with { Key = null! }]) },
        { "ReplicateEntries.Entries", new ReplicateEntries(1, 1, "p", [Entry() with { Value = null! }]) },
        { "ReplicateAck.Replica", new ReplicateAck(1, 1, null!) },
        { "ReadReplicaKeys.Keys", new ReadReplicaKeys(1, 1, null!) },
        { "ReadReplicaKeys.Keys[0]", new ReadReplicaKeys(1, 1, [null!]) },
        { "ReplicaKeysRead.Replica", new ReplicaKeysRead(1, 1, null!, []) },
        { "ReplicaKeysRead.Entries[0]", new ReplicaKeysRead(1, 1, "r", [null!]) },
        { "ShardDigest.Primary", new ShardDigest(1, 1, null!, []) },
        { "ShardDigest.Buckets", new ShardDigest(1, 1, "p", null!) },
        { "DigestMismatch.Buckets", new DigestMismatch(1, 1, "r", null!) },
        { "ReplaceBuckets.Buckets", new ReplaceBuckets(1, 1, "p", 4, null!, []) },
        { "ReplaceBuckets.Entries", new ReplaceBuckets(1, 1, "p", 4, [], null!) },
        { "RequestShardCopy.Requester", new RequestShardCopy(1, 1, null!) },
        { "ShardCopy.Entries", new ShardCopy(1, 1, "r", 0, 0, true, null!) },
        { "ShardCopy.PreviousPrimary", new ShardCopy(1, 1, "r", 0, 0, true, [], null!) },
        { "ShardMoved.From", new ShardMoved(1, null!, "t", 0) },
        { "ShardMoved.To", new ShardMoved(1, "f", null!, 0) },
        { "MemoryPressure.Replica", new MemoryPressure(1, null!, 0, 0) },
        { "CoalescedRequests.Commands", new CoalescedRequests(TimeSpan.Zero, null!) },
        { "CoalescedRequests.Commands[1]", new CoalescedRequests(TimeSpan.Zero, [new CorrelatedCommand(1, new Get("k")), null!]) },
        { "CoalescedRequests.Commands[0]", new CoalescedRequests(TimeSpan.Zero, [new CorrelatedCommand(1, null!)]) },
        { "Get.Key", new CoalescedRequests(TimeSpan.Zero, [new CorrelatedCommand(1, new Get(null!))]) },
        { "CoalescedReplies.Replies", new CoalescedReplies(null!) },
        { "CoalescedReplies.Replies[0]", new CoalescedReplies([new CorrelatedReply(1, null!)]) },
        { "GetSuccess.Value", new CoalescedReplies([new CorrelatedReply(1, new GetSuccess("k", null!, default))]) },
    };

    // Ids, counts, bucket indices and ticks are non-negative on the wire; the sender refuses a negative one
    // (naming the field) rather than leave it to the receiver's decoder.
    public static TheoryData<string, ICacheMessage> NegativeFieldMessages => new()
    {
        { "ReplicateEntries.ShardId", new ReplicateEntries(-1, 1, "p", []) },
        { "ReplicateEntries.BatchId", new ReplicateEntries(1, long.MinValue, "p", []) },
        { "ReplicateEntries.Entries", new ReplicateEntries(1, 1, "p", [Entry() with { DeadlineTicks = -1 }]) },
        { "ReplicaKeysRead.Entries", new ReplicaKeysRead(1, 1, "r", [Entry() with { SlidingTicks = -1 }]) },
        { "ReplicateAck.BatchId", new ReplicateAck(1, -1, "r") },
        { "ReadReplicaKeys.RequestId", new ReadReplicaKeys(1, -1, []) },
        { "ShardDigest.ShardId", new ShardDigest(int.MinValue, 1, "p", []) },
        { "DigestMismatch.Buckets[1]", new DigestMismatch(1, 1, "r", [0, -5]) },
        { "ReplaceBuckets.BucketCount", new ReplaceBuckets(1, 1, "p", -4, [], []) },
        { "ReplaceBuckets.Buckets[0]", new ReplaceBuckets(1, 1, "p", 4, [-1], []) },
        { "RequestShardCopy.RequestId", new RequestShardCopy(1, -1, "n") },
        { "ShardCopy.Chunk", new ShardCopy(1, 1, "r", 0, -1, true, []) },
        { "ShardMoved.Keys", new ShardMoved(1, "f", "t", -1) },
        { "MemoryPressure.UsedBytes", new MemoryPressure(1, "r", -1, 0) },
        { "CoalescedRequests.Commands", new CoalescedRequests(TimeSpan.Zero, [new CorrelatedCommand(-1, new Get("k"))]) },
        { "CoalescedReplies.Replies", new CoalescedReplies([new CorrelatedReply(long.MinValue, new NotFound("k"))]) },
    };

    [Theory]
    [MemberData(nameof(NegativeFieldMessages))]
    public void Should_refuse_negative_ids_counts_and_ticks_naming_the_field(string field, ICacheMessage message)
    {
        var error = Assert.Throws<SerializationException>(() => _serializer.ToBinary(message));

        Assert.Contains(field, error.Message);
        Assert.Contains("negative", error.Message);
    }

    private static ReplicaEntry Entry() => new("k", [], EntryVersion.Zero, ExpiryKind.None, 0, 0, false);

    [Theory]
    [MemberData(nameof(NullFieldMessages))]
    public void Should_refuse_null_fields_naming_the_field(string field, ICacheMessage message)
    {
        var error = Assert.Throws<SerializationException>(() => _serializer.ToBinary(message));

        Assert.Contains(field, error.Message);
    }

    [Fact]
    public void Should_refuse_strings_that_are_not_valid_utf16()
    {
        // Built in code: attribute arguments are stored as UTF-8, which would already have replaced the surrogates.
        var highAlone = new string((char)0xD800, 1);
        var lowAfterText = "abc" + (char)0xDC00;
        var longWithHighAtEnd = new string('k', 200) + (char)0xD83D; // long enough for the counting path
        var reversedPair = "x" + (char)0xDE00 + (char)0xD83D;

        foreach (var key in new[] { highAlone, lowAfterText, longWithHighAtEnd, reversedPair })
        {
            var error = Assert.Throws<SerializationException>(() => _serializer.ToBinary(new Get(key)));
            Assert.Contains("Get.Key", error.Message);
        }
    }

    public static TheoryData<string, Func<byte, ICacheMessage>, int> WireEnums => new()
    {
        // enum name, a message carrying it, offset of the enum byte in that message's encoding
        { nameof(ConsistencyLevel), v => new Get("k", (ConsistencyLevel)v), 2 },
        { nameof(ExpiryKind), v => new Set("k", [], new CacheExpiry((ExpiryKind)v, TimeSpan.Zero)), 3 },
        { nameof(CacheErrorCode), v => new GetFailure("k", new CacheError((CacheErrorCode)v, "")), 2 },
        { nameof(NodeLeftReason), v => new NodeLeft("a", (NodeLeftReason)v, DateTimeOffset.UnixEpoch), 2 },
        { nameof(InvalidationReason), v => new KeyInvalidated("k", (InvalidationReason)v, default, DateTimeOffset.UnixEpoch), 2 },
        // shard, batch, "p", count, "k", empty value, version: the entry's ExpiryKind byte is the 11th.
        { nameof(ExpiryKind), v => new ReplicateEntries(1, 1, "p", [Entry() with { ExpiryKind = (ExpiryKind)v }]), 10 },
    };

    // Also guards the serializer's "max defined value" constants: an enum member added without updating them
    // fails the round trip here.
    [Theory]
    [MemberData(nameof(WireEnums))]
    public void Should_accept_exactly_the_defined_values_of_every_wire_enum(string enumName, Func<byte, ICacheMessage> make, int offset)
    {
        var enumType = typeof(ICacheMessage).Assembly.GetTypes().Single(t => t.IsEnum && t.Name == enumName);
        var template = _serializer.ToBinary(make(0));
        var manifest = _serializer.Manifest(make(0));

        for (var value = 0; value <= byte.MaxValue; value++)
        {
            var message = make((byte)value);
            var patched = (byte[])template.Clone();
            patched[offset] = (byte)value;
            if (Enum.IsDefined(enumType, (byte)value))
            {
                var decoded = _serializer.FromBinary(patched, manifest);
                Assert.Equal(ProtocolSamples.Describe(message), ProtocolSamples.Describe(decoded));
                Assert.Equal(patched, _serializer.ToBinary(message));
            }
            else
            {
                Assert.Throws<SerializationException>(() => _serializer.ToBinary(message));
                var error = Assert.Throws<SerializationException>(() => _serializer.FromBinary(patched, manifest));
                Assert.Contains(enumName, error.Message);
            }
        }
    }

    [Fact]
    public void Should_read_a_node_topology_of_the_layout_before_the_data_plane_with_no_data_port()
    {
        // TN as nodes wrote it before DataPort: Reporter "n", Version 3, DataNodes ["n"], Unreachable [], LocalShards [2].
        var decoded = Assert.IsType<NodeTopology>(_serializer.FromBinary(Convert.FromHexString("016E" + "06" + "01016E" + "00" + "0104"), "TN"));

        Assert.Equal(("n", 3L, 0), (decoded.Reporter, decoded.Version, decoded.DataPort));
        Assert.Equal(["n"], decoded.DataNodes);
        Assert.Equal([2], decoded.LocalShards);
        Assert.Equal("TNP", _serializer.Manifest(decoded));
        Assert.Equal(Convert.FromHexString("016E" + "06" + "01016E" + "00" + "0104" + "00"), _serializer.ToBinary(decoded));
    }

    [Fact]
    public void Should_refuse_a_data_port_that_is_not_a_tcp_port()
    {
        Assert.Throws<SerializationException>(() => _serializer.ToBinary(new NodeTopology("n", 1, [], [], [], 65536)));
        // 65536 zig-zag encoded is 131072 = 0x80 0x80 0x08.
        var error = Assert.Throws<SerializationException>(() => _serializer.FromBinary(Convert.FromHexString("016E" + "02" + "00" + "00" + "00" + "808008"), "TNP"));
        Assert.Contains("DataPort", error.Message);
    }

    [Theory]
    // trailing byte after a complete Get
    [InlineData("G", "016B0000", "trailing")]
    // bool byte 2 in RemoveSuccess.Existed
    [InlineData("RS", "016B020000", "boolean")]
    // overlong UTF-8 for '/', a lone surrogate encoded in UTF-8, and a truncated sequence
    [InlineData("GN", "02C0AF", "UTF-8")]
    [InlineData("GN", "03EDA080", "UTF-8")]
    [InlineData("GN", "01E2", "UTF-8")]
    // key length 2^32-1 with 1 byte left
    [InlineData("GN", "FFFFFFFF0F6B", "count")]
    // GetMany count 2^63 (10-byte varint)
    [InlineData("GM", "0080808080808080808001", "count")]
    // varint of 11 bytes
    [InlineData("GN", "8080808080808080808000", "varint")]
    // 10th varint byte carrying more than bit 63
    [InlineData("GN", "8080808080808080807F", "varint")]
    // ShardId beyond int range
    [InlineData("SMS", "80808080200000", "32-bit")]
    // DateTimeOffset: UTC ticks beyond MaxValue, offset beyond 14 h, local time before year 1
    [InlineData("EL", "016100FFFFFFFFFFFFFFFFFF0100", "MaxValue")]
    [InlineData("EL", "016100" + "00" + "C20D", "offset")]
    [InlineData("EL", "016100" + "00" + "01", "local time")]
    // empty input for a message with fields, and a payload for the empty GetCacheStats
    [InlineData("S", "", "ends early")]
    [InlineData("ST", "00", "trailing")]
    // Replication. Prefix "02040170" = ShardId 1, BatchId / RequestId 2, string "p". A minimal entry is
    // "0000" (empty key, empty value) + "0000" (version) + kind + sliding + deadline + tombstone.
    // Negative ticks in an entry (zig-zag 01 = -1): deadline, then sliding.
    [InlineData("XE", "02040170" + "01" + "00000000" + "00" + "00" + "01" + "00", "DeadlineTicks is negative")]
    [InlineData("XE", "02040170" + "01" + "00000000" + "00" + "01" + "00" + "00", "SlidingTicks is negative")]
    // A deadline of long.MinValue (zig-zag 2^64-1, 10 bytes) is negative too.
    [InlineData("XRR", "02040170" + "01" + "00000000" + "00" + "00" + "FFFFFFFFFFFFFFFFFF01" + "00", "DeadlineTicks is negative")]
    // ReplicaEntry counts beyond remaining / 8: 2 entries in 8 bytes, 1 entry in 7 bytes, 2^32-1 entries.
    [InlineData("XE", "02040170" + "02" + "0000000000000000", "count 2 exceeds")]
    [InlineData("XRR", "02040170" + "01" + "00000000000000", "count 1 exceeds")]
    [InlineData("XCC", "02040170" + "00" + "00" + "01" + "FFFFFFFF0F" + "0000000000000000", "count")]
    [InlineData("XB", "02040170" + "02" + "00" + "02" + "00000000000000", "count 2 exceeds")]
    // Digest counts beyond remaining / 8: 2 digests in 15 bytes, 1 in 7, 2^63.
    [InlineData("XD", "02040170" + "02" + "000000000000000000000000000000", "count 2 exceeds")]
    [InlineData("XD", "02040170" + "01" + "00000000000000", "count 1 exceeds")]
    [InlineData("XD", "02040170" + "80808080808080808001", "count")]
    // Bucket index counts beyond the remaining bytes, and negative bucket indices.
    [InlineData("XDM", "02040170" + "03" + "0002", "count 3 exceeds")]
    [InlineData("XDM", "02040170" + "02" + "0001", "Buckets is negative")]
    [InlineData("XB", "02040170" + "02" + "01" + "03" + "00", "Buckets is negative")]
    // Negative ids and counts.
    [InlineData("XA", "01" + "04" + "00", "ShardId is negative")]
    [InlineData("XA", "02" + "03" + "00", "BatchId is negative")]
    [InlineData("XC", "02" + "01" + "00", "RequestId is negative")]
    [InlineData("XB", "02040170" + "01" + "00" + "00", "BucketCount is negative")]
    [InlineData("XCC", "02040170" + "00" + "01" + "01" + "00", "Chunk is negative")]
    // Undefined ExpiryKind in an entry, tombstone flag 2, IsLast flag 2.
    [InlineData("XE", "02040170" + "01" + "00000000" + "03" + "00" + "00" + "00", "ExpiryKind")]
    [InlineData("XE", "02040170" + "01" + "00000000" + "00" + "00" + "00" + "02", "boolean")]
    [InlineData("XCC", "02040170" + "00" + "00" + "02" + "00", "boolean")]
    // Trailing bytes after complete replication messages.
    [InlineData("XD", "02040170" + "01" + "0807060504030201" + "00", "trailing")]
    [InlineData("XC", "02040170" + "00", "trailing")]
    [InlineData("XE", "", "ends early")]
    public void Should_reject_malformed_input_with_a_precise_reason(string manifest, string hex, string reason)
    {
        var error = Assert.Throws<SerializationException>(() => _serializer.FromBinary(Convert.FromHexString(hex), manifest));

        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"'{manifest}'", error.Message);
    }

    [Fact]
    public void Should_allocate_only_the_output_array_when_serializing()
    {
        var set = new Set("user:42", new byte[100], CacheExpiry.After(TimeSpan.FromMinutes(5)), ConsistencyLevel.Quorum);
        var warm = _serializer.ToBinary(set);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var bytes = _serializer.ToBinary(set);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(warm, bytes);
        // A byte[] costs its length plus an array header (24 bytes on 64-bit), rounded up to 8.
        Assert.InRange(allocated, bytes.Length, bytes.Length + 32);
    }

    [Fact]
    public void Should_allocate_only_the_output_array_when_serializing_coalesced_envelopes()
    {
        // The coalesced hot path: 20 Gets out, 20 hits of 100 bytes back.
        var requests = new CoalescedRequests(TimeSpan.FromSeconds(5),
            Enumerable.Range(0, 20).Select(i => new CorrelatedCommand(i, new Get("key:" + i))).ToArray());
        var replies = new CoalescedReplies(
            Enumerable.Range(0, 20).Select(i => new CorrelatedReply(i, new GetSuccess("key:" + i, new byte[100], new EntryVersion(1, i)))).ToArray());
        foreach (ICacheMessage message in new ICacheMessage[] { requests, replies })
        {
            var warm = _serializer.ToBinary(message);

            var before = GC.GetAllocatedBytesForCurrentThread();
            var bytes = _serializer.ToBinary(message);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(warm, bytes);
            Assert.InRange(allocated, bytes.Length, bytes.Length + 32);
        }
    }

    [Fact]
    public void Should_allocate_only_the_output_array_when_serializing_a_single_entry_replication()
    {
        // The replication hot path: every replicated write sends one of these, then an ack.
        var replicate = ProtocolSamples.All["ReplicateEntries one entry"];
        var ack = ProtocolSamples.All["ReplicateAck"];
        _serializer.ToBinary(replicate);
        _serializer.ToBinary(ack);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var bytes = _serializer.ToBinary(replicate);
        var afterReplicate = GC.GetAllocatedBytesForCurrentThread();
        var ackBytes = _serializer.ToBinary(ack);
        var afterAck = GC.GetAllocatedBytesForCurrentThread();

        Assert.InRange(afterReplicate - before, bytes.Length, bytes.Length + 32);
        Assert.InRange(afterAck - afterReplicate, ackBytes.Length, ackBytes.Length + 32);
    }

    [Fact]
    public void Should_allocate_little_more_than_the_message_when_deserializing_a_single_entry_replication()
    {
        var replicate = new ReplicateEntries(7, 1, "p",
            [new ReplicaEntry("user:42", new byte[100], new EntryVersion(3, 17), ExpiryKind.Absolute, 0, 1, false)]);
        var bytes = _serializer.ToBinary(replicate);
        _serializer.FromBinary(bytes, "XE");

        var before = GC.GetAllocatedBytesForCurrentThread();
        var decoded = (ReplicateEntries)_serializer.FromBinary(bytes, "XE");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("user:42", decoded.Entries[0].Key);
        // The message (~48 B), the primary string (~32 B), the one-slot array (~32 B), the entry (~72 B), the key
        // (~40 B) and the value array (~128 B), and nothing of note besides.
        Assert.InRange(allocated, 1, 450);
    }

    [Fact]
    public void Should_allocate_little_more_than_the_message_when_deserializing()
    {
        var set = new Set("user:42", new byte[100], CacheExpiry.After(TimeSpan.FromMinutes(5)), ConsistencyLevel.Quorum);
        var bytes = _serializer.ToBinary(set);
        _serializer.FromBinary(bytes, "S");

        var before = GC.GetAllocatedBytesForCurrentThread();
        var decoded = (Set)_serializer.FromBinary(bytes, "S");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("user:42", decoded.Key);
        // The record (~56 B), the key string (~40 B) and the value array (~128 B) and nothing of note besides.
        Assert.InRange(allocated, 1, 320);
    }

    [Fact]
    public void Should_encode_large_messages_and_keep_working_after_them()
    {
        var big = ProtocolSamples.All["Set 300 KB value"];
        var small = ProtocolSamples.All["Get plain"];

        // The large message grows the per-thread scratch buffer beyond what is retained; the next one must still
        // encode correctly from a fresh buffer.
        var bigBytes = _serializer.ToBinary(big);
        var smallBytes = _serializer.ToBinary(small);

        Assert.Equal(ProtocolSamples.Describe(big), ProtocolSamples.Describe(_serializer.FromBinary(bigBytes, "S")));
        Assert.Equal("0775736572" + "3A343200", Convert.ToHexString(smallBytes));
    }

    private static string Varint(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
        return Convert.ToHexString(bytes.ToArray());
    }
}
