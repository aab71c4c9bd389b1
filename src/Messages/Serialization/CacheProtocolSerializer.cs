using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace DistCacheAkka.Messages.Serialization;

/// <summary>
/// Akka serializer of every <see cref="ICacheMessage"/>: a hand-written, span-based binary format with one short
/// string manifest per concrete record. No reflection and no general-purpose serializer: the format is explicit,
/// compact, fast, and safe on untrusted input (see <see cref="FromBinary"/>).
/// </summary>
/// <remarks>
/// <para><b>WIRE INVARIANT (append-only).</b> Nodes and clients of different versions talk to each other, so the
/// identifier, every manifest string, and the field layout of every manifest below are frozen once released.
/// To change a message, add a NEW record with a NEW manifest (old ones keep decoding); never reuse, rename or
/// reorder a manifest or its fields, and never renumber an enum value (they are one byte on the wire).</para>
/// <para>Primitive encodings (<see cref="WireWriter"/> / <see cref="WireReader"/>):</para>
/// <list type="bullet">
/// <item>len / count: unsigned LEB128 varint (≤ 10 bytes). int / long: zig-zag then LEB128.</item>
/// <item>string: len (UTF-8 byte count) + strict UTF-8; never null. bytes: len + raw bytes; never null.</item>
/// <item>bool: one byte, 0 or 1. enum: one byte, a defined value.</item>
/// <item>TimeSpan: ticks as zig-zag long. DateTimeOffset: UTC ticks as unsigned varint + offset minutes as
/// zig-zag int. EntryVersion: Epoch, Sequence as zig-zag longs.</item>
/// <item>Expiry = ExpiryKind enum, Duration TimeSpan. Error = CacheErrorCode enum, Message string,
/// AcksReceived int, AcksRequired int, Timeout TimeSpan.</item>
/// <item>list&lt;T&gt;: count + elements. Item = Key string, Value bytes, Version. KV = Key string, Value bytes.</item>
/// <item>nat int / nat long: an int / long encoded exactly as above (zig-zag) whose value the protocol defines as
/// non-negative (ids, counts, bucket indices, ticks). A negative value is refused by the writer (naming the field)
/// and rejected by the reader as malformed.</item>
/// <item>u64: fixed 8 bytes, little-endian. Used for digests: hash bits are uniform, so a varint would nearly always
/// take 9–10 bytes, and a fixed width makes the count check exact (8 bytes per element).</item>
/// <item>Entry (ReplicaEntry) = Key string, Value bytes, Version, ExpiryKind enum, SlidingTicks nat long,
/// DeadlineTicks nat long, IsTombstone bool. Smallest encoding 8 bytes (1 + 1 + 2 + 1 + 1 + 1 + 1), the per-element
/// minimum of the count check.</item>
/// </list>
/// <para>Layouts (fields in order, nothing else, no trailing bytes):</para>
/// <code>
/// G   Get                 Key, Consistency
/// GS  GetSuccess          Key, Value, Version
/// GN  NotFound            Key
/// GF  GetFailure          Key, Error
/// S   Set                 Key, Value, Expiry, Consistency
/// SS  SetSuccess          Key, Version
/// SF  SetFailure          Key, Error
/// R   Remove              Key, Consistency
/// RS  RemoveSuccess       Key, Existed bool, Version
/// RF  RemoveFailure       Key, Error
/// GM  GetMany             ShardId int, Keys list&lt;string&gt;, Consistency
/// GMS GetManySuccess      ShardId int, Found list&lt;Item&gt;, Missing list&lt;string&gt;
/// GMF GetManyFailure      ShardId int, Keys list&lt;string&gt;, Error
/// SM  SetMany             ShardId int, Items list&lt;KV&gt;, Expiry, Consistency
/// SMS SetManySuccess      ShardId int, Count int, LastVersion
/// SMF SetManyFailure      ShardId int, Keys list&lt;string&gt;, Error
/// ST  GetCacheStats       (empty)
/// STS CacheStats          Node string, PrimaryEntries, BackupEntries, Bytes, Hits, Misses, Gets, Sets, Removes,
///                         Expirations, Evictions (longs), ShardsOwned int, ReplicationQueue long,
///                         MemoryUsedBytes long, MemoryLimitBytes long
/// EJ  NodeJoined          Address string, Roles list&lt;string&gt;, Timestamp
/// EL  NodeLeft            Address string, Reason NodeLeftReason, Timestamp
/// EK  KeyInvalidated      Key, Reason InvalidationReason, Version, Timestamp
/// ER  ReplicationComplete Key, Version, Replicas int, Timestamp
/// EF  FailoverOccurred    ShardId int, FromNode string, ToNode string, KeysRecovered long, Timestamp
/// EB  RebalancingProgress ShardsMoved int, ShardsTotal int, KeysMoved long, Timestamp
/// XE  ReplicateEntries    ShardId nat int, BatchId nat long, Primary string, Entries list&lt;Entry&gt;
/// XA  ReplicateAck        ShardId nat int, BatchId nat long, Replica string
/// XR  ReadReplicaKeys     ShardId nat int, RequestId nat long, Keys list&lt;string&gt;
/// XRR ReplicaKeysRead     ShardId nat int, RequestId nat long, Replica string, Entries list&lt;Entry&gt;
/// XD  ShardDigest         ShardId nat int, RequestId nat long, Primary string, Buckets list&lt;u64&gt;
/// XDM DigestMismatch      ShardId nat int, RequestId nat long, Replica string, Buckets list&lt;nat int&gt;
/// XB  ReplaceBuckets      ShardId nat int, BatchId nat long, Primary string, BucketCount nat int,
///                         Buckets list&lt;nat int&gt;, Entries list&lt;Entry&gt;
/// XC  RequestShardCopy    ShardId nat int, RequestId nat long, Requester string
/// XCC ShardCopy           ShardId nat int, RequestId nat long, Replica string, MaxEpoch long, Chunk nat int,
///                         IsLast bool, Entries list&lt;Entry&gt;, PreviousPrimary string
/// XM  ShardMoved          ShardId nat int, From string, To string, Keys nat long
/// XP  MemoryPressure      ShardId nat int, Replica string, UsedBytes nat long, LimitBytes nat long
/// CQ  CoalescedRequests   Timeout TimeSpan, Commands list&lt;Cmd&gt;
/// CR  CoalescedReplies    Replies list&lt;Reply&gt;
/// TR  RegisterClient      (empty)
/// TN  NodeTopology        Reporter string, Version nat long, DataNodes list&lt;string&gt;, Unreachable list&lt;string&gt;,
///                         LocalShards list&lt;nat int&gt;
/// TE  SubscribeClientEvents Kinds list&lt;nat int&gt; (each a defined CacheEventKind)
/// TES ClientEventsSubscribed (empty)
/// TU  UnsubscribeClientEvents (empty)
/// </code>
/// <para>Cmd = Id nat long, Kind (one byte: 0 Get, 1 Set, 2 Remove, 3 GetMany, 4 SetMany), then that message's
/// fields exactly as in its own layout. Reply = Id nat long, Kind (one byte: 0 GetSuccess, 1 NotFound, 2 GetFailure,
/// 3 SetSuccess, 4 SetFailure, 5 RemoveSuccess, 6 RemoveFailure, 7 GetManySuccess, 8 GetManyFailure,
/// 9 SetManySuccess, 10 SetManyFailure), then that message's fields. Kinds are append-only like the
/// manifests; any other message inside a coalesced envelope is refused on both sides.</para>
/// <para>The serializer checks encodings, not meaning: that a bucket index is below BucketCount, or that a
/// tombstone carries an empty value, is for the receiving actor to judge. MaxEpoch is a plain long, like the Epoch
/// of a Version, which the format has never restricted.</para>
/// </remarks>
public sealed class CacheProtocolSerializer : SerializerWithStringManifest
{
    /// <summary>
    /// The serializer identifier written into every remote envelope. WIRE INVARIANT: stable forever — a receiver
    /// picks the deserializer by this number, so changing it makes every other version unable to read our messages.
    /// Akka reserves 0..40 for itself; 517 is ours.
    /// </summary>
    public const int Id = 517;

    /// <summary>
    /// Registers the serializer for the protocol's marker interface only. Binding <see cref="ICacheMessage"/>
    /// rather than System.Object keeps Akka's own messages on Akka's serializers, and nothing of the protocol may fall
    /// back to JSON. No serialization-identifiers entry is needed: <see cref="Identifier"/> is fixed in code, the
    /// single source of truth.
    /// <para>The only place the registration is written, since every node and client must agree on it: a data node's
    /// configuration (NodeConfig, under node.conf), the client's (DistCacheClient.ClientConfig, under client.conf)
    /// and Akka.Hosting's WithDistCacheClient all layer this text; the hocon files do not repeat it.</para>
    /// </summary>
    public const string Hocon = """
        akka.actor {
          serializers {
            distcache = "DistCacheAkka.Messages.Serialization.CacheProtocolSerializer, DistCacheAkka.Messages"
          }
          serialization-bindings {
            "DistCacheAkka.Messages.ICacheMessage, DistCacheAkka.Messages" = distcache
          }
        }
        """;

    // Manifests: WIRE INVARIANT, append-only (see the class remarks).
    private const string GetManifest = "G";
    private const string GetSuccessManifest = "GS";
    private const string NotFoundManifest = "GN";
    private const string GetFailureManifest = "GF";
    private const string SetManifest = "S";
    private const string SetSuccessManifest = "SS";
    private const string SetFailureManifest = "SF";
    private const string RemoveManifest = "R";
    private const string RemoveSuccessManifest = "RS";
    private const string RemoveFailureManifest = "RF";
    private const string GetManyManifest = "GM";
    private const string GetManySuccessManifest = "GMS";
    private const string GetManyFailureManifest = "GMF";
    private const string SetManyManifest = "SM";
    private const string SetManySuccessManifest = "SMS";
    private const string SetManyFailureManifest = "SMF";
    private const string GetCacheStatsManifest = "ST";
    private const string CacheStatsManifest = "STS";
    private const string NodeJoinedManifest = "EJ";
    private const string NodeLeftManifest = "EL";
    private const string KeyInvalidatedManifest = "EK";
    private const string ReplicationCompleteManifest = "ER";
    private const string FailoverOccurredManifest = "EF";
    private const string RebalancingProgressManifest = "EB";
    private const string ReplicateEntriesManifest = "XE";
    private const string ReplicateAckManifest = "XA";
    private const string ReadReplicaKeysManifest = "XR";
    private const string ReplicaKeysReadManifest = "XRR";
    private const string ShardDigestManifest = "XD";
    private const string DigestMismatchManifest = "XDM";
    private const string ReplaceBucketsManifest = "XB";
    private const string RequestShardCopyManifest = "XC";
    private const string ShardCopyManifest = "XCC";
    private const string ShardMovedManifest = "XM";
    private const string MemoryPressureManifest = "XP";
    private const string CoalescedRequestsManifest = "CQ";
    private const string CoalescedRepliesManifest = "CR";
    private const string RegisterClientManifest = "TR";
    private const string NodeTopologyManifest = "TN";
    private const string SubscribeClientEventsManifest = "TE";
    private const string ClientEventsSubscribedManifest = "TES";
    private const string UnsubscribeClientEventsManifest = "TU";

    // Kinds of the messages nested in coalesced envelopes (WIRE INVARIANT, append-only), indexed by their byte.
    private static readonly string[] CommandKinds = [GetManifest, SetManifest, RemoveManifest, GetManyManifest, SetManyManifest];
    private static readonly string[] ReplyKinds =
    [
        GetSuccessManifest, NotFoundManifest, GetFailureManifest, SetSuccessManifest, SetFailureManifest,
        RemoveSuccessManifest, RemoveFailureManifest, GetManySuccessManifest, GetManyFailureManifest,
        SetManySuccessManifest, SetManyFailureManifest,
    ];

    // Largest defined value of each wire enum. The enums are contiguous from 0 and append-only, so "defined" is
    // "at most this"; a unit test fails if an enum gains a value these constants do not cover.
    private const byte MaxConsistency = (byte)ConsistencyLevel.Strong;
    private const byte MaxExpiryKind = (byte)ExpiryKind.Sliding;
    private const byte MaxErrorCode = (byte)CacheErrorCode.OutOfMemory;
    private const byte MaxNodeLeftReason = (byte)NodeLeftReason.Downed;
    private const byte MaxInvalidationReason = (byte)InvalidationReason.Overwritten;
    private const byte MaxEventKind = (byte)CacheEventKind.RebalancingProgress;

    // Smallest encodings of list elements, for the count-versus-remaining check before allocating a list:
    // Item = empty key (1) + empty value (1) + version (1 + 1); KV = empty key (1) + empty value (1);
    // Entry = empty key (1) + empty value (1) + version (1 + 1) + expiry kind (1) + sliding (1) + deadline (1)
    // + tombstone flag (1).
    private const int MinCacheItemBytes = 4;
    private const int MinKeyValueBytes = 2;
    private const int MinReplicaEntryBytes = 8;

    // Cmd = id (1) + kind (1) + the smallest command, a Get or Remove with an empty key (1 + 1);
    // Reply = id (1) + kind (1) + the smallest reply, a NotFound with an empty key (1).
    private const int MinCorrelatedCommandBytes = 4;
    private const int MinCorrelatedReplyBytes = 3;

    public CacheProtocolSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <summary>The parsed <see cref="Hocon"/>, to put in front of (or behind) an actor system's configuration.</summary>
    public static Config Config => ConfigurationFactory.ParseString(Hocon);

    /// <inheritdoc cref="Id"/>
    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        // The coalesced envelopes carry most single-key traffic under load.
        CoalescedRequests => CoalescedRequestsManifest,
        CoalescedReplies => CoalescedRepliesManifest,
        Get => GetManifest,
        GetSuccess => GetSuccessManifest,
        NotFound => NotFoundManifest,
        GetFailure => GetFailureManifest,
        Set => SetManifest,
        SetSuccess => SetSuccessManifest,
        // Every replicated write sends one of each: keep them ahead of the rarer messages.
        ReplicateEntries => ReplicateEntriesManifest,
        ReplicateAck => ReplicateAckManifest,
        SetFailure => SetFailureManifest,
        Remove => RemoveManifest,
        RemoveSuccess => RemoveSuccessManifest,
        RemoveFailure => RemoveFailureManifest,
        GetMany => GetManyManifest,
        GetManySuccess => GetManySuccessManifest,
        GetManyFailure => GetManyFailureManifest,
        SetMany => SetManyManifest,
        SetManySuccess => SetManySuccessManifest,
        SetManyFailure => SetManyFailureManifest,
        GetCacheStats => GetCacheStatsManifest,
        CacheStats => CacheStatsManifest,
        NodeJoined => NodeJoinedManifest,
        NodeLeft => NodeLeftManifest,
        KeyInvalidated => KeyInvalidatedManifest,
        ReplicationComplete => ReplicationCompleteManifest,
        FailoverOccurred => FailoverOccurredManifest,
        RebalancingProgress => RebalancingProgressManifest,
        ReadReplicaKeys => ReadReplicaKeysManifest,
        ReplicaKeysRead => ReplicaKeysReadManifest,
        ShardDigest => ShardDigestManifest,
        DigestMismatch => DigestMismatchManifest,
        ReplaceBuckets => ReplaceBucketsManifest,
        RequestShardCopy => RequestShardCopyManifest,
        ShardCopy => ShardCopyManifest,
        ShardMoved => ShardMovedManifest,
        MemoryPressure => MemoryPressureManifest,
        RegisterClient => RegisterClientManifest,
        NodeTopology => NodeTopologyManifest,
        SubscribeClientEvents => SubscribeClientEventsManifest,
        ClientEventsSubscribed => ClientEventsSubscribedManifest,
        UnsubscribeClientEvents => UnsubscribeClientEventsManifest,
        _ => throw NotAProtocolMessage(o),
    };

    /// <summary>Encodes a protocol message. Allocates only the returned array (the scratch buffer is per thread).
    /// A null field is refused with a <see cref="SerializationException"/> naming it; a non-protocol object with an
    /// <see cref="ArgumentException"/> naming its type.</summary>
    public override byte[] ToBinary(object obj)
    {
        var writer = WireWriter.Rent();
        try
        {
            Encode(ref writer, obj);
            return writer.ToArray();
        }
        finally
        {
            writer.Release();
        }
    }

    /// <summary>
    /// Decodes a message. Input is untrusted (any peer, any corruption): on ANY bytes this either returns a
    /// well-formed message or throws <see cref="SerializationException"/> — never another exception type, never
    /// an allocation much larger than the input.
    /// </summary>
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (bytes is null)
            throw new SerializationException($"Cannot decode DistCache message '{manifest}': the payload is null.");
        if (manifest is null)
            throw new SerializationException("Cannot decode DistCache message: the manifest is null.");
        try
        {
            return Decode(bytes, manifest);
        }
        catch (SerializationException)
        {
            throw;
        }
        catch (Exception e)
        {
            // Last line of defence only: the reader validates everything up front, so reaching this is a bug,
            // but callers (Akka's remoting) must still see the documented exception type.
            throw new SerializationException(
                $"Cannot decode DistCache message '{manifest}' ({bytes.Length} bytes): unexpected {e.GetType().Name}.", e);
        }
    }

    private static void Encode(ref WireWriter w, object obj)
    {
        // Most frequent messages first: a type switch over sealed records is a sequence of cheap type checks.
        switch (obj)
        {
            case CoalescedRequests m:
                w.WriteTimeSpan(m.Timeout);
                WriteCorrelatedCommands(ref w, m.Commands);
                break;
            case CoalescedReplies m:
                WriteCorrelatedReplies(ref w, m.Replies);
                break;
            case Get m:
                w.WriteString(m.Key, "Get.Key");
                WriteConsistency(ref w, m.Consistency, "Get.Consistency");
                break;
            case GetSuccess m:
                w.WriteString(m.Key, "GetSuccess.Key");
                w.WriteBytes(m.Value, "GetSuccess.Value");
                w.WriteVersion(m.Version);
                break;
            case Set m:
                w.WriteString(m.Key, "Set.Key");
                w.WriteBytes(m.Value, "Set.Value");
                WriteExpiry(ref w, m.Expiry, "Set.Expiry");
                WriteConsistency(ref w, m.Consistency, "Set.Consistency");
                break;
            case SetSuccess m:
                w.WriteString(m.Key, "SetSuccess.Key");
                w.WriteVersion(m.Version);
                break;
            // The replication hot path: one batch (usually of a single entry) and its ack per replicated write.
            case ReplicateEntries m:
                w.WriteNonNegativeVarInt32(m.ShardId, "ReplicateEntries.ShardId");
                w.WriteNonNegativeVarInt64(m.BatchId, "ReplicateEntries.BatchId");
                w.WriteString(m.Primary, "ReplicateEntries.Primary");
                WriteReplicaEntries(ref w, m.Entries, "ReplicateEntries.Entries");
                break;
            case ReplicateAck m:
                w.WriteNonNegativeVarInt32(m.ShardId, "ReplicateAck.ShardId");
                w.WriteNonNegativeVarInt64(m.BatchId, "ReplicateAck.BatchId");
                w.WriteString(m.Replica, "ReplicateAck.Replica");
                break;
            case NotFound m:
                w.WriteString(m.Key, "NotFound.Key");
                break;
            case Remove m:
                w.WriteString(m.Key, "Remove.Key");
                WriteConsistency(ref w, m.Consistency, "Remove.Consistency");
                break;
            case RemoveSuccess m:
                w.WriteString(m.Key, "RemoveSuccess.Key");
                w.WriteBool(m.Existed);
                w.WriteVersion(m.Version);
                break;
            case GetFailure m:
                w.WriteString(m.Key, "GetFailure.Key");
                WriteError(ref w, m.Error, "GetFailure.Error");
                break;
            case SetFailure m:
                w.WriteString(m.Key, "SetFailure.Key");
                WriteError(ref w, m.Error, "SetFailure.Error");
                break;
            case RemoveFailure m:
                w.WriteString(m.Key, "RemoveFailure.Key");
                WriteError(ref w, m.Error, "RemoveFailure.Error");
                break;
            case GetMany m:
                w.WriteVarInt32(m.ShardId);
                w.WriteStringList(m.Keys, "GetMany.Keys");
                WriteConsistency(ref w, m.Consistency, "GetMany.Consistency");
                break;
            case GetManySuccess m:
                w.WriteVarInt32(m.ShardId);
                WriteCacheItems(ref w, m.Found, "GetManySuccess.Found");
                w.WriteStringList(m.Missing, "GetManySuccess.Missing");
                break;
            case GetManyFailure m:
                w.WriteVarInt32(m.ShardId);
                w.WriteStringList(m.Keys, "GetManyFailure.Keys");
                WriteError(ref w, m.Error, "GetManyFailure.Error");
                break;
            case SetMany m:
                w.WriteVarInt32(m.ShardId);
                WriteKeyValues(ref w, m.Items, "SetMany.Items");
                WriteExpiry(ref w, m.Expiry, "SetMany.Expiry");
                WriteConsistency(ref w, m.Consistency, "SetMany.Consistency");
                break;
            case SetManySuccess m:
                w.WriteVarInt32(m.ShardId);
                w.WriteVarInt32(m.Count);
                w.WriteVersion(m.LastVersion);
                break;
            case SetManyFailure m:
                w.WriteVarInt32(m.ShardId);
                w.WriteStringList(m.Keys, "SetManyFailure.Keys");
                WriteError(ref w, m.Error, "SetManyFailure.Error");
                break;
            case GetCacheStats:
                break;
            case CacheStats m:
                w.WriteString(m.Node, "CacheStats.Node");
                w.WriteVarInt64(m.PrimaryEntries);
                w.WriteVarInt64(m.BackupEntries);
                w.WriteVarInt64(m.Bytes);
                w.WriteVarInt64(m.Hits);
                w.WriteVarInt64(m.Misses);
                w.WriteVarInt64(m.Gets);
                w.WriteVarInt64(m.Sets);
                w.WriteVarInt64(m.Removes);
                w.WriteVarInt64(m.Expirations);
                w.WriteVarInt64(m.Evictions);
                w.WriteVarInt32(m.ShardsOwned);
                w.WriteVarInt64(m.ReplicationQueue);
                w.WriteVarInt64(m.MemoryUsedBytes);
                w.WriteVarInt64(m.MemoryLimitBytes);
                break;
            case NodeJoined m:
                w.WriteString(m.Address, "NodeJoined.Address");
                w.WriteStringList(m.Roles, "NodeJoined.Roles");
                w.WriteDateTimeOffset(m.Timestamp);
                break;
            case NodeLeft m:
                w.WriteString(m.Address, "NodeLeft.Address");
                WriteEnum(ref w, (byte)m.Reason, MaxNodeLeftReason, "NodeLeft.Reason");
                w.WriteDateTimeOffset(m.Timestamp);
                break;
            case KeyInvalidated m:
                w.WriteString(m.Key, "KeyInvalidated.Key");
                WriteEnum(ref w, (byte)m.Reason, MaxInvalidationReason, "KeyInvalidated.Reason");
                w.WriteVersion(m.Version);
                w.WriteDateTimeOffset(m.Timestamp);
                break;
            case ReplicationComplete m:
                w.WriteString(m.Key, "ReplicationComplete.Key");
                w.WriteVersion(m.Version);
                w.WriteVarInt32(m.Replicas);
                w.WriteDateTimeOffset(m.Timestamp);
                break;
            case FailoverOccurred m:
                w.WriteVarInt32(m.ShardId);
                w.WriteString(m.FromNode, "FailoverOccurred.FromNode");
                w.WriteString(m.ToNode, "FailoverOccurred.ToNode");
                w.WriteVarInt64(m.KeysRecovered);
                w.WriteDateTimeOffset(m.Timestamp);
                break;
            case RebalancingProgress m:
                w.WriteVarInt32(m.ShardsMoved);
                w.WriteVarInt32(m.ShardsTotal);
                w.WriteVarInt64(m.KeysMoved);
                w.WriteDateTimeOffset(m.Timestamp);
                break;
            case ReadReplicaKeys m:
                w.WriteNonNegativeVarInt32(m.ShardId, "ReadReplicaKeys.ShardId");
                w.WriteNonNegativeVarInt64(m.RequestId, "ReadReplicaKeys.RequestId");
                w.WriteStringList(m.Keys, "ReadReplicaKeys.Keys");
                break;
            case ReplicaKeysRead m:
                w.WriteNonNegativeVarInt32(m.ShardId, "ReplicaKeysRead.ShardId");
                w.WriteNonNegativeVarInt64(m.RequestId, "ReplicaKeysRead.RequestId");
                w.WriteString(m.Replica, "ReplicaKeysRead.Replica");
                WriteReplicaEntries(ref w, m.Entries, "ReplicaKeysRead.Entries");
                break;
            case ShardDigest m:
                w.WriteNonNegativeVarInt32(m.ShardId, "ShardDigest.ShardId");
                w.WriteNonNegativeVarInt64(m.RequestId, "ShardDigest.RequestId");
                w.WriteString(m.Primary, "ShardDigest.Primary");
                w.WriteFixedUInt64List(m.Buckets, "ShardDigest.Buckets");
                break;
            case DigestMismatch m:
                w.WriteNonNegativeVarInt32(m.ShardId, "DigestMismatch.ShardId");
                w.WriteNonNegativeVarInt64(m.RequestId, "DigestMismatch.RequestId");
                w.WriteString(m.Replica, "DigestMismatch.Replica");
                w.WriteNonNegativeInt32List(m.Buckets, "DigestMismatch.Buckets");
                break;
            case ReplaceBuckets m:
                w.WriteNonNegativeVarInt32(m.ShardId, "ReplaceBuckets.ShardId");
                w.WriteNonNegativeVarInt64(m.BatchId, "ReplaceBuckets.BatchId");
                w.WriteString(m.Primary, "ReplaceBuckets.Primary");
                w.WriteNonNegativeVarInt32(m.BucketCount, "ReplaceBuckets.BucketCount");
                w.WriteNonNegativeInt32List(m.Buckets, "ReplaceBuckets.Buckets");
                WriteReplicaEntries(ref w, m.Entries, "ReplaceBuckets.Entries");
                break;
            case RequestShardCopy m:
                w.WriteNonNegativeVarInt32(m.ShardId, "RequestShardCopy.ShardId");
                w.WriteNonNegativeVarInt64(m.RequestId, "RequestShardCopy.RequestId");
                w.WriteString(m.Requester, "RequestShardCopy.Requester");
                break;
            case ShardCopy m:
                w.WriteNonNegativeVarInt32(m.ShardId, "ShardCopy.ShardId");
                w.WriteNonNegativeVarInt64(m.RequestId, "ShardCopy.RequestId");
                w.WriteString(m.Replica, "ShardCopy.Replica");
                w.WriteVarInt64(m.MaxEpoch);
                w.WriteNonNegativeVarInt32(m.Chunk, "ShardCopy.Chunk");
                w.WriteBool(m.IsLast);
                WriteReplicaEntries(ref w, m.Entries, "ShardCopy.Entries");
                w.WriteString(m.PreviousPrimary, "ShardCopy.PreviousPrimary");
                break;
            case ShardMoved m:
                w.WriteNonNegativeVarInt32(m.ShardId, "ShardMoved.ShardId");
                w.WriteString(m.From, "ShardMoved.From");
                w.WriteString(m.To, "ShardMoved.To");
                w.WriteNonNegativeVarInt64(m.Keys, "ShardMoved.Keys");
                break;
            case MemoryPressure m:
                w.WriteNonNegativeVarInt32(m.ShardId, "MemoryPressure.ShardId");
                w.WriteString(m.Replica, "MemoryPressure.Replica");
                w.WriteNonNegativeVarInt64(m.UsedBytes, "MemoryPressure.UsedBytes");
                w.WriteNonNegativeVarInt64(m.LimitBytes, "MemoryPressure.LimitBytes");
                break;
            case RegisterClient or ClientEventsSubscribed or UnsubscribeClientEvents:
                break;
            case NodeTopology m:
                w.WriteString(m.Reporter, "NodeTopology.Reporter");
                w.WriteNonNegativeVarInt64(m.Version, "NodeTopology.Version");
                w.WriteStringList(m.DataNodes, "NodeTopology.DataNodes");
                w.WriteStringList(m.Unreachable, "NodeTopology.Unreachable");
                w.WriteNonNegativeInt32List(m.LocalShards, "NodeTopology.LocalShards");
                break;
            case SubscribeClientEvents m:
                if (m.Kinds is null)
                    WireWriter.ThrowNullField("SubscribeClientEvents.Kinds");
                w.WriteNonNegativeInt32List(m.Kinds.Select(k => (int)k).ToArray(), "SubscribeClientEvents.Kinds");
                break;
            default:
                throw NotAProtocolMessage(obj);
        }
    }

    private static ICacheMessage Decode(ReadOnlySpan<byte> bytes, string manifest)
    {
        var r = new WireReader(bytes, manifest);
        var message = DecodeFields(ref r, manifest);
        r.EnsureEnd();
        return message;
    }

    /// <summary>Reads the fields of the message named by <paramref name="manifest"/> (also for nested messages).</summary>
    private static ICacheMessage DecodeFields(ref WireReader r, string manifest)
    {
        // Constructor arguments are evaluated left to right (C# guarantees it), which is the wire order.
        return manifest switch
        {
            CoalescedRequestsManifest => new CoalescedRequests(r.ReadTimeSpan(), ReadCorrelatedCommands(ref r)),
            CoalescedRepliesManifest => new CoalescedReplies(ReadCorrelatedReplies(ref r)),
            GetManifest => new Get(r.ReadString(), ReadConsistency(ref r)),
            GetSuccessManifest => new GetSuccess(r.ReadString(), r.ReadBytes(), r.ReadVersion()),
            NotFoundManifest => new NotFound(r.ReadString()),
            GetFailureManifest => new GetFailure(r.ReadString(), ReadError(ref r)),
            SetManifest => new Set(r.ReadString(), r.ReadBytes(), ReadExpiry(ref r), ReadConsistency(ref r)),
            SetSuccessManifest => new SetSuccess(r.ReadString(), r.ReadVersion()),
            SetFailureManifest => new SetFailure(r.ReadString(), ReadError(ref r)),
            RemoveManifest => new Remove(r.ReadString(), ReadConsistency(ref r)),
            RemoveSuccessManifest => new RemoveSuccess(r.ReadString(), r.ReadBool(), r.ReadVersion()),
            RemoveFailureManifest => new RemoveFailure(r.ReadString(), ReadError(ref r)),
            GetManyManifest => new GetMany(r.ReadVarInt32(), r.ReadStringList(), ReadConsistency(ref r)),
            GetManySuccessManifest => new GetManySuccess(r.ReadVarInt32(), ReadCacheItems(ref r), r.ReadStringList()),
            GetManyFailureManifest => new GetManyFailure(r.ReadVarInt32(), r.ReadStringList(), ReadError(ref r)),
            SetManyManifest => new SetMany(r.ReadVarInt32(), ReadKeyValues(ref r), ReadExpiry(ref r), ReadConsistency(ref r)),
            SetManySuccessManifest => new SetManySuccess(r.ReadVarInt32(), r.ReadVarInt32(), r.ReadVersion()),
            SetManyFailureManifest => new SetManyFailure(r.ReadVarInt32(), r.ReadStringList(), ReadError(ref r)),
            // Stateless: share the instance instead of allocating.
            GetCacheStatsManifest => GetCacheStats.Instance,
            CacheStatsManifest => new CacheStats(
                r.ReadString(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt32(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64()),
            NodeJoinedManifest => new NodeJoined(r.ReadString(), r.ReadStringList(), r.ReadDateTimeOffset()),
            NodeLeftManifest => new NodeLeft(
                r.ReadString(),
                (NodeLeftReason)r.ReadEnum(MaxNodeLeftReason, nameof(NodeLeftReason)),
                r.ReadDateTimeOffset()),
            KeyInvalidatedManifest => new KeyInvalidated(
                r.ReadString(),
                (InvalidationReason)r.ReadEnum(MaxInvalidationReason, nameof(InvalidationReason)),
                r.ReadVersion(),
                r.ReadDateTimeOffset()),
            ReplicationCompleteManifest => new ReplicationComplete(
                r.ReadString(), r.ReadVersion(), r.ReadVarInt32(), r.ReadDateTimeOffset()),
            FailoverOccurredManifest => new FailoverOccurred(
                r.ReadVarInt32(), r.ReadString(), r.ReadString(), r.ReadVarInt64(), r.ReadDateTimeOffset()),
            RebalancingProgressManifest => new RebalancingProgress(
                r.ReadVarInt32(), r.ReadVarInt32(), r.ReadVarInt64(), r.ReadDateTimeOffset()),
            ReplicateEntriesManifest => new ReplicateEntries(
                r.ReadNonNegativeVarInt32("ReplicateEntries.ShardId"),
                r.ReadNonNegativeVarInt64("ReplicateEntries.BatchId"),
                r.ReadString(),
                ReadReplicaEntries(ref r)),
            ReplicateAckManifest => new ReplicateAck(
                r.ReadNonNegativeVarInt32("ReplicateAck.ShardId"),
                r.ReadNonNegativeVarInt64("ReplicateAck.BatchId"),
                r.ReadString()),
            ReadReplicaKeysManifest => new ReadReplicaKeys(
                r.ReadNonNegativeVarInt32("ReadReplicaKeys.ShardId"),
                r.ReadNonNegativeVarInt64("ReadReplicaKeys.RequestId"),
                r.ReadStringList()),
            ReplicaKeysReadManifest => new ReplicaKeysRead(
                r.ReadNonNegativeVarInt32("ReplicaKeysRead.ShardId"),
                r.ReadNonNegativeVarInt64("ReplicaKeysRead.RequestId"),
                r.ReadString(),
                ReadReplicaEntries(ref r)),
            ShardDigestManifest => new ShardDigest(
                r.ReadNonNegativeVarInt32("ShardDigest.ShardId"),
                r.ReadNonNegativeVarInt64("ShardDigest.RequestId"),
                r.ReadString(),
                r.ReadFixedUInt64List()),
            DigestMismatchManifest => new DigestMismatch(
                r.ReadNonNegativeVarInt32("DigestMismatch.ShardId"),
                r.ReadNonNegativeVarInt64("DigestMismatch.RequestId"),
                r.ReadString(),
                r.ReadNonNegativeInt32List("DigestMismatch.Buckets")),
            ReplaceBucketsManifest => new ReplaceBuckets(
                r.ReadNonNegativeVarInt32("ReplaceBuckets.ShardId"),
                r.ReadNonNegativeVarInt64("ReplaceBuckets.BatchId"),
                r.ReadString(),
                r.ReadNonNegativeVarInt32("ReplaceBuckets.BucketCount"),
                r.ReadNonNegativeInt32List("ReplaceBuckets.Buckets"),
                ReadReplicaEntries(ref r)),
            RequestShardCopyManifest => new RequestShardCopy(
                r.ReadNonNegativeVarInt32("RequestShardCopy.ShardId"),
                r.ReadNonNegativeVarInt64("RequestShardCopy.RequestId"),
                r.ReadString()),
            ShardCopyManifest => new ShardCopy(
                r.ReadNonNegativeVarInt32("ShardCopy.ShardId"),
                r.ReadNonNegativeVarInt64("ShardCopy.RequestId"),
                r.ReadString(),
                r.ReadVarInt64(),
                r.ReadNonNegativeVarInt32("ShardCopy.Chunk"),
                r.ReadBool(),
                ReadReplicaEntries(ref r),
                r.ReadString()),
            ShardMovedManifest => new ShardMoved(
                r.ReadNonNegativeVarInt32("ShardMoved.ShardId"),
                r.ReadString(),
                r.ReadString(),
                r.ReadNonNegativeVarInt64("ShardMoved.Keys")),
            MemoryPressureManifest => new MemoryPressure(
                r.ReadNonNegativeVarInt32("MemoryPressure.ShardId"),
                r.ReadString(),
                r.ReadNonNegativeVarInt64("MemoryPressure.UsedBytes"),
                r.ReadNonNegativeVarInt64("MemoryPressure.LimitBytes")),
            RegisterClientManifest => RegisterClient.Instance,
            NodeTopologyManifest => new NodeTopology(
                r.ReadString(),
                r.ReadNonNegativeVarInt64("NodeTopology.Version"),
                r.ReadStringList(),
                r.ReadStringList(),
                r.ReadNonNegativeInt32List("NodeTopology.LocalShards")),
            SubscribeClientEventsManifest => new SubscribeClientEvents(ReadEventKinds(ref r)),
            ClientEventsSubscribedManifest => ClientEventsSubscribed.Instance,
            UnsubscribeClientEventsManifest => UnsubscribeClientEvents.Instance,
            _ => throw new SerializationException(
                $"Unknown DistCache manifest '{manifest}': the sender speaks a newer protocol or the bytes are not ours."),
        };
    }

    private static void WriteEnum(ref WireWriter w, byte value, byte maxDefined, string field)
    {
        // Checked on the way out too: an undefined value would only be refused by the receiver, far from the bug.
        if (value > maxDefined)
            throw new SerializationException($"Field {field} has undefined value {value}.");
        w.WriteByte(value);
    }

    private static void WriteConsistency(ref WireWriter w, ConsistencyLevel value, string field) =>
        WriteEnum(ref w, (byte)value, MaxConsistency, field);

    private static ConsistencyLevel ReadConsistency(ref WireReader r) =>
        (ConsistencyLevel)r.ReadEnum(MaxConsistency, nameof(ConsistencyLevel));

    private static void WriteExpiry(ref WireWriter w, CacheExpiry expiry, string field)
    {
        WriteEnum(ref w, (byte)expiry.Kind, MaxExpiryKind, field);
        w.WriteTimeSpan(expiry.Duration);
    }

    private static CacheExpiry ReadExpiry(ref WireReader r)
    {
        // The serializer transports the expiry as sent; whether its duration makes sense is the receiver's
        // request validation (an InvalidRequest reply), not a decoding failure.
        var kind = (ExpiryKind)r.ReadEnum(MaxExpiryKind, nameof(ExpiryKind));
        return new CacheExpiry(kind, r.ReadTimeSpan());
    }

    private static void WriteError(ref WireWriter w, CacheError? error, string field)
    {
        if (error is null)
            WireWriter.ThrowNullField(field);
        WriteEnum(ref w, (byte)error.Code, MaxErrorCode, field);
        w.WriteString(error.Message, field);
        w.WriteVarInt32(error.AcksReceived);
        w.WriteVarInt32(error.AcksRequired);
        w.WriteTimeSpan(error.Timeout);
    }

    private static CacheError ReadError(ref WireReader r) => new(
        (CacheErrorCode)r.ReadEnum(MaxErrorCode, nameof(CacheErrorCode)),
        r.ReadString(),
        r.ReadVarInt32(),
        r.ReadVarInt32(),
        r.ReadTimeSpan());

    private static void WriteCacheItems(ref WireWriter w, IReadOnlyList<CacheItem>? items, string field)
    {
        if (items is null)
            WireWriter.ThrowNullField(field);
        var count = items.Count;
        w.WriteCount(count);
        // Indexer, not foreach: foreach over the interface would box the list's enumerator.
        for (var i = 0; i < count; i++)
        {
            var item = items[i] ?? throw NullElement(field, i);
            w.WriteString(item.Key, field);
            w.WriteBytes(item.Value, field);
            w.WriteVersion(item.Version);
        }
    }

    private static CacheItem[] ReadCacheItems(ref WireReader r)
    {
        var count = r.ReadCount(MinCacheItemBytes);
        if (count == 0)
            return [];
        var items = new CacheItem[count];
        for (var i = 0; i < items.Length; i++)
            items[i] = new CacheItem(r.ReadString(), r.ReadBytes(), r.ReadVersion());
        return items;
    }

    private static void WriteKeyValues(ref WireWriter w, IReadOnlyList<KeyValue>? items, string field)
    {
        if (items is null)
            WireWriter.ThrowNullField(field);
        var count = items.Count;
        w.WriteCount(count);
        for (var i = 0; i < count; i++)
        {
            var item = items[i] ?? throw NullElement(field, i);
            w.WriteString(item.Key, field);
            w.WriteBytes(item.Value, field);
        }
    }

    private static KeyValue[] ReadKeyValues(ref WireReader r)
    {
        var count = r.ReadCount(MinKeyValueBytes);
        if (count == 0)
            return [];
        var items = new KeyValue[count];
        for (var i = 0; i < items.Length; i++)
            items[i] = new KeyValue(r.ReadString(), r.ReadBytes());
        return items;
    }

    private static void WriteReplicaEntries(ref WireWriter w, IReadOnlyList<ReplicaEntry>? entries, string field)
    {
        if (entries is null)
            WireWriter.ThrowNullField(field);
        var count = entries.Count;
        w.WriteCount(count);
        // Indexer, not foreach (no boxed enumerator), and the container's field name for every element: building
        // "Entries[i].Key" up front would allocate on the hot path for the sake of an error that never happens.
        for (var i = 0; i < count; i++)
        {
            var entry = entries[i] ?? throw NullElement(field, i);
            w.WriteString(entry.Key, field);
            w.WriteBytes(entry.Value, field);
            w.WriteVersion(entry.Version);
            WriteEnum(ref w, (byte)entry.ExpiryKind, MaxExpiryKind, field);
            w.WriteNonNegativeVarInt64(entry.SlidingTicks, field);
            w.WriteNonNegativeVarInt64(entry.DeadlineTicks, field);
            w.WriteBool(entry.IsTombstone);
        }
    }

    private static ReplicaEntry[] ReadReplicaEntries(ref WireReader r)
    {
        var count = r.ReadCount(MinReplicaEntryBytes);
        if (count == 0)
            return [];
        var entries = new ReplicaEntry[count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new ReplicaEntry(
                r.ReadString(),
                r.ReadBytes(),
                r.ReadVersion(),
                (ExpiryKind)r.ReadEnum(MaxExpiryKind, nameof(ExpiryKind)),
                r.ReadNonNegativeVarInt64("ReplicaEntry.SlidingTicks"),
                r.ReadNonNegativeVarInt64("ReplicaEntry.DeadlineTicks"),
                r.ReadBool());
        }
        return entries;
    }

    private static void WriteCorrelatedCommands(ref WireWriter w, IReadOnlyList<CorrelatedCommand>? commands)
    {
        const string field = "CoalescedRequests.Commands";
        if (commands is null)
            WireWriter.ThrowNullField(field);
        var count = commands.Count;
        w.WriteCount(count);
        for (var i = 0; i < count; i++)
        {
            var item = commands[i] ?? throw NullElement(field, i);
            w.WriteNonNegativeVarInt64(item.Id, field);
            w.WriteByte(item.Command switch
            {
                Get => 0,
                Set => 1,
                Remove => 2,
                GetMany => 3,
                SetMany => 4,
                _ => throw NotNestable(field, i, item.Command),
            });
            Encode(ref w, item.Command);
        }
    }

    private static CorrelatedCommand[] ReadCorrelatedCommands(ref WireReader r)
    {
        var count = r.ReadCount(MinCorrelatedCommandBytes);
        if (count == 0)
            return [];
        var commands = new CorrelatedCommand[count];
        for (var i = 0; i < commands.Length; i++)
        {
            var id = r.ReadNonNegativeVarInt64("CorrelatedCommand.Id");
            var kind = CommandKinds[r.ReadEnum((byte)(CommandKinds.Length - 1), "CoalescedCommandKind")];
            commands[i] = new CorrelatedCommand(id, DecodeFields(ref r, kind));
        }
        return commands;
    }

    private static void WriteCorrelatedReplies(ref WireWriter w, IReadOnlyList<CorrelatedReply>? replies)
    {
        const string field = "CoalescedReplies.Replies";
        if (replies is null)
            WireWriter.ThrowNullField(field);
        var count = replies.Count;
        w.WriteCount(count);
        for (var i = 0; i < count; i++)
        {
            var item = replies[i] ?? throw NullElement(field, i);
            w.WriteNonNegativeVarInt64(item.Id, field);
            w.WriteByte(item.Reply switch
            {
                GetSuccess => 0,
                NotFound => 1,
                GetFailure => 2,
                SetSuccess => 3,
                SetFailure => 4,
                RemoveSuccess => 5,
                RemoveFailure => 6,
                GetManySuccess => 7,
                GetManyFailure => 8,
                SetManySuccess => 9,
                SetManyFailure => 10,
                _ => throw NotNestable(field, i, item.Reply),
            });
            Encode(ref w, item.Reply);
        }
    }

    private static CorrelatedReply[] ReadCorrelatedReplies(ref WireReader r)
    {
        var count = r.ReadCount(MinCorrelatedReplyBytes);
        if (count == 0)
            return [];
        var replies = new CorrelatedReply[count];
        for (var i = 0; i < replies.Length; i++)
        {
            var id = r.ReadNonNegativeVarInt64("CorrelatedReply.Id");
            var kind = ReplyKinds[r.ReadEnum((byte)(ReplyKinds.Length - 1), "CoalescedReplyKind")];
            replies[i] = new CorrelatedReply(id, DecodeFields(ref r, kind));
        }
        return replies;
    }

    private static SerializationException NotNestable(string field, int index, object? message) => message is null
        ? NullElement(field, index)
        : new($"Field {field}[{index}] is a {message.GetType().Name}; a coalesced envelope carries only commands " +
              "(Get, Set, Remove, GetMany, SetMany) and their replies.");

    private static CacheEventKind[] ReadEventKinds(ref WireReader r)
    {
        var values = r.ReadNonNegativeInt32List("SubscribeClientEvents.Kinds");
        var kinds = new CacheEventKind[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] > MaxEventKind)
                throw new SerializationException($"Field SubscribeClientEvents.Kinds[{i}] is {values[i]}, not a defined CacheEventKind.");
            kinds[i] = (CacheEventKind)values[i];
        }
        return kinds;
    }

    private static SerializationException NullElement(string field, int index) =>
        new($"Field {field}[{index}] is null; protocol messages carry no nulls.");

    private static ArgumentException NotAProtocolMessage(object? o) => o is null
        ? new ArgumentNullException(nameof(o), "Cannot serialize null with the DistCache protocol serializer.")
        : new ArgumentException(
            $"Cannot serialize {o.GetType().FullName}: it is not a DistCacheAkka protocol message " +
            "(a concrete ICacheMessage record known to CacheProtocolSerializer).", nameof(o));
}
