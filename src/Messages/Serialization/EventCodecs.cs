using static DistCacheAkka.Messages.Serialization.WireFields;

namespace DistCacheAkka.Messages.Serialization;

/// <summary>
/// Wire codecs of the cache events (<see cref="DistributedCacheEvent"/>). WIRE INVARIANT: append-only (see
/// <see cref="CacheProtocolSerializer"/>).
/// </summary>
/// <remarks>
/// <code>
/// EJ  NodeJoined          Address string, Roles list&lt;string&gt;, Timestamp
/// EL  NodeLeft            Address string, Reason NodeLeftReason, Timestamp
/// EK  KeyInvalidated      Key, Reason InvalidationReason, Version, Timestamp
/// ER  ReplicationComplete Key, Version, Replicas int, Timestamp
/// EF  FailoverOccurred    ShardId int, FromNode string, ToNode string, KeysRecovered long, Timestamp
/// EB  RebalancingProgress ShardsMoved int, ShardsTotal int, KeysMoved long, Timestamp
/// </code>
/// </remarks>
internal static class EventCodecs
{
    public static readonly MessageCodec[] All =
    [
        MessageCodec.Of<NodeJoined>("EJ",
            static (ref WireWriter w, NodeJoined m) =>
            {
                w.WriteString(m.Address, "NodeJoined.Address");
                w.WriteStringList(m.Roles, "NodeJoined.Roles");
                w.WriteDateTimeOffset(m.Timestamp);
            },
            static (ref WireReader r) => new NodeJoined(r.ReadString(), r.ReadStringList(), r.ReadDateTimeOffset())),

        MessageCodec.Of<NodeLeft>("EL",
            static (ref WireWriter w, NodeLeft m) =>
            {
                w.WriteString(m.Address, "NodeLeft.Address");
                WriteEnum(ref w, (byte)m.Reason, MaxNodeLeftReason, "NodeLeft.Reason");
                w.WriteDateTimeOffset(m.Timestamp);
            },
            static (ref WireReader r) => new NodeLeft(
                r.ReadString(),
                (NodeLeftReason)r.ReadEnum(MaxNodeLeftReason, nameof(NodeLeftReason)),
                r.ReadDateTimeOffset())),

        MessageCodec.Of<KeyInvalidated>("EK",
            static (ref WireWriter w, KeyInvalidated m) =>
            {
                w.WriteString(m.Key, "KeyInvalidated.Key");
                WriteEnum(ref w, (byte)m.Reason, MaxInvalidationReason, "KeyInvalidated.Reason");
                w.WriteVersion(m.Version);
                w.WriteDateTimeOffset(m.Timestamp);
            },
            static (ref WireReader r) => new KeyInvalidated(
                r.ReadString(),
                (InvalidationReason)r.ReadEnum(MaxInvalidationReason, nameof(InvalidationReason)),
                r.ReadVersion(),
                r.ReadDateTimeOffset())),

        MessageCodec.Of<ReplicationComplete>("ER",
            static (ref WireWriter w, ReplicationComplete m) =>
            {
                w.WriteString(m.Key, "ReplicationComplete.Key");
                w.WriteVersion(m.Version);
                w.WriteVarInt32(m.Replicas);
                w.WriteDateTimeOffset(m.Timestamp);
            },
            static (ref WireReader r) => new ReplicationComplete(r.ReadString(), r.ReadVersion(), r.ReadVarInt32(), r.ReadDateTimeOffset())),

        MessageCodec.Of<FailoverOccurred>("EF",
            static (ref WireWriter w, FailoverOccurred m) =>
            {
                w.WriteVarInt32(m.ShardId);
                w.WriteString(m.FromNode, "FailoverOccurred.FromNode");
                w.WriteString(m.ToNode, "FailoverOccurred.ToNode");
                w.WriteVarInt64(m.KeysRecovered);
                w.WriteDateTimeOffset(m.Timestamp);
            },
            static (ref WireReader r) => new FailoverOccurred(
                r.ReadVarInt32(), r.ReadString(), r.ReadString(), r.ReadVarInt64(), r.ReadDateTimeOffset())),

        MessageCodec.Of<RebalancingProgress>("EB",
            static (ref WireWriter w, RebalancingProgress m) =>
            {
                w.WriteVarInt32(m.ShardsMoved);
                w.WriteVarInt32(m.ShardsTotal);
                w.WriteVarInt64(m.KeysMoved);
                w.WriteDateTimeOffset(m.Timestamp);
            },
            static (ref WireReader r) => new RebalancingProgress(r.ReadVarInt32(), r.ReadVarInt32(), r.ReadVarInt64(), r.ReadDateTimeOffset())),
    ];
}
