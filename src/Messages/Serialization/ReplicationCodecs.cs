using System.Runtime.Serialization;
using static DistCacheAkka.Messages.Serialization.WireFields;

namespace DistCacheAkka.Messages.Serialization;

/// <summary>
/// Wire codecs of the node-to-node replication messages: replicated writes and their acks, replica reads,
/// anti-entropy digests, shard copies for recovery, hand-off and memory pressure notices. WIRE INVARIANT:
/// append-only (see <see cref="CacheProtocolSerializer"/>).
/// </summary>
/// <remarks>
/// <code>
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
/// XX  ReplicaBatch        Seq nat long, Messages list&lt;Nested&gt;
/// XXR ReplicaBatchReply   Seq nat long, IsLast bool, Replies list&lt;Reply&gt;
/// </code>
/// Nested = Kind (one byte: 0 XE, 1 XA, 2 XR, 3 XRR, 4 XD, 5 XDM, 6 XB, 7 XC, 8 XCC, 9 XM, 10 XP), then that message's
/// fields exactly as in its own layout; kinds are append-only like the manifests, and a batch never nests a batch.
/// Reply = Index nat int, Nested.
/// Entry (ReplicaEntry) = Key string, Value bytes, Version, ExpiryKind enum, SlidingTicks nat long, DeadlineTicks
/// nat long, IsTombstone bool. Smallest encoding 8 bytes (1 + 1 + 2 + 1 + 1 + 1 + 1), the per-element minimum of the
/// count check. MaxEpoch is a plain long, like the Epoch of a Version, which the format has never restricted.
/// </remarks>
internal static class ReplicationCodecs
{
    // Entry = empty key (1) + empty value (1) + version (1 + 1) + expiry kind (1) + sliding (1) + deadline (1)
    // + tombstone flag (1).
    private const int MinReplicaEntryBytes = 8;

    // Nested = kind (1) + the smallest message, a ReplicateAck (1 + 1 + 1); Reply = index (1) + Nested.
    private const int MinNestedBytes = 4;
    private const int MinReplyBytes = 5;

    // The messages a batch nests, by kind (WIRE INVARIANT, append-only): a kind is the index of its codec here.
    private static readonly MessageCodec[] NestedKinds = Single();

    public static readonly MessageCodec[] All =
    [
        .. NestedKinds,
        MessageCodec.Of<ReplicaBatch>("XX",
            static (ref WireWriter w, ReplicaBatch m) =>
            {
                const string field = "ReplicaBatch.Messages";
                w.WriteNonNegativeVarInt64(m.Seq, "ReplicaBatch.Seq");
                if (m.Messages is null)
                    WireWriter.ThrowNullField(field);
                var count = m.Messages.Count;
                w.WriteCount(count);
                for (var i = 0; i < count; i++)
                    WriteNested(ref w, m.Messages[i], field, i);
            },
            static (ref WireReader r) =>
            {
                var seq = r.ReadNonNegativeVarInt64("ReplicaBatch.Seq");
                var count = r.ReadCount(MinNestedBytes);
                var messages = new IReplicationMessage[count];
                for (var i = 0; i < count; i++)
                    messages[i] = ReadNested(ref r);
                return new ReplicaBatch(seq, messages);
            }),

        MessageCodec.Of<ReplicaBatchReply>("XXR",
            static (ref WireWriter w, ReplicaBatchReply m) =>
            {
                const string field = "ReplicaBatchReply.Replies";
                w.WriteNonNegativeVarInt64(m.Seq, "ReplicaBatchReply.Seq");
                w.WriteBool(m.IsLast);
                if (m.Replies is null)
                    WireWriter.ThrowNullField(field);
                var count = m.Replies.Count;
                w.WriteCount(count);
                for (var i = 0; i < count; i++)
                {
                    var reply = m.Replies[i] ?? throw NullElement(field, i);
                    w.WriteNonNegativeVarInt32(reply.Index, field);
                    WriteNested(ref w, reply.Message, field, i);
                }
            },
            static (ref WireReader r) =>
            {
                var seq = r.ReadNonNegativeVarInt64("ReplicaBatchReply.Seq");
                var isLast = r.ReadBool();
                var count = r.ReadCount(MinReplyBytes);
                var replies = new ReplicaReply[count];
                for (var i = 0; i < count; i++)
                    replies[i] = new ReplicaReply(r.ReadNonNegativeVarInt32("ReplicaReply.Index"), ReadNested(ref r));
                return new ReplicaBatchReply(seq, isLast, replies);
            }),
    ];

    private static MessageCodec[] Single() =>
    [
        // The replication hot path: one batch (usually of a single entry) and its ack per replicated write.
        MessageCodec.Of<ReplicateEntries>("XE",
            static (ref WireWriter w, ReplicateEntries m) =>
            {
                w.WriteNonNegativeVarInt32(m.ShardId, "ReplicateEntries.ShardId");
                w.WriteNonNegativeVarInt64(m.BatchId, "ReplicateEntries.BatchId");
                w.WriteString(m.Primary, "ReplicateEntries.Primary");
                WriteReplicaEntries(ref w, m.Entries, "ReplicateEntries.Entries");
            },
            static (ref WireReader r) => new ReplicateEntries(
                r.ReadNonNegativeVarInt32("ReplicateEntries.ShardId"),
                r.ReadNonNegativeVarInt64("ReplicateEntries.BatchId"),
                r.ReadString(),
                ReadReplicaEntries(ref r))),

        MessageCodec.Of<ReplicateAck>("XA",
            static (ref WireWriter w, ReplicateAck m) =>
            {
                w.WriteNonNegativeVarInt32(m.ShardId, "ReplicateAck.ShardId");
                w.WriteNonNegativeVarInt64(m.BatchId, "ReplicateAck.BatchId");
                w.WriteString(m.Replica, "ReplicateAck.Replica");
            },
            static (ref WireReader r) => new ReplicateAck(
                r.ReadNonNegativeVarInt32("ReplicateAck.ShardId"),
                r.ReadNonNegativeVarInt64("ReplicateAck.BatchId"),
                r.ReadString())),

        MessageCodec.Of<ReadReplicaKeys>("XR",
            static (ref WireWriter w, ReadReplicaKeys m) =>
            {
                w.WriteNonNegativeVarInt32(m.ShardId, "ReadReplicaKeys.ShardId");
                w.WriteNonNegativeVarInt64(m.RequestId, "ReadReplicaKeys.RequestId");
                w.WriteStringList(m.Keys, "ReadReplicaKeys.Keys");
            },
            static (ref WireReader r) => new ReadReplicaKeys(
                r.ReadNonNegativeVarInt32("ReadReplicaKeys.ShardId"),
                r.ReadNonNegativeVarInt64("ReadReplicaKeys.RequestId"),
                r.ReadStringList())),

        MessageCodec.Of<ReplicaKeysRead>("XRR",
            static (ref WireWriter w, ReplicaKeysRead m) =>
            {
                w.WriteNonNegativeVarInt32(m.ShardId, "ReplicaKeysRead.ShardId");
                w.WriteNonNegativeVarInt64(m.RequestId, "ReplicaKeysRead.RequestId");
                w.WriteString(m.Replica, "ReplicaKeysRead.Replica");
                WriteReplicaEntries(ref w, m.Entries, "ReplicaKeysRead.Entries");
            },
            static (ref WireReader r) => new ReplicaKeysRead(
                r.ReadNonNegativeVarInt32("ReplicaKeysRead.ShardId"),
                r.ReadNonNegativeVarInt64("ReplicaKeysRead.RequestId"),
                r.ReadString(),
                ReadReplicaEntries(ref r))),

        MessageCodec.Of<ShardDigest>("XD",
            static (ref WireWriter w, ShardDigest m) =>
            {
                w.WriteNonNegativeVarInt32(m.ShardId, "ShardDigest.ShardId");
                w.WriteNonNegativeVarInt64(m.RequestId, "ShardDigest.RequestId");
                w.WriteString(m.Primary, "ShardDigest.Primary");
                w.WriteFixedUInt64List(m.Buckets, "ShardDigest.Buckets");
            },
            static (ref WireReader r) => new ShardDigest(
                r.ReadNonNegativeVarInt32("ShardDigest.ShardId"),
                r.ReadNonNegativeVarInt64("ShardDigest.RequestId"),
                r.ReadString(),
                r.ReadFixedUInt64List())),

        MessageCodec.Of<DigestMismatch>("XDM",
            static (ref WireWriter w, DigestMismatch m) =>
            {
                w.WriteNonNegativeVarInt32(m.ShardId, "DigestMismatch.ShardId");
                w.WriteNonNegativeVarInt64(m.RequestId, "DigestMismatch.RequestId");
                w.WriteString(m.Replica, "DigestMismatch.Replica");
                w.WriteNonNegativeInt32List(m.Buckets, "DigestMismatch.Buckets");
            },
            static (ref WireReader r) => new DigestMismatch(
                r.ReadNonNegativeVarInt32("DigestMismatch.ShardId"),
                r.ReadNonNegativeVarInt64("DigestMismatch.RequestId"),
                r.ReadString(),
                r.ReadNonNegativeInt32List("DigestMismatch.Buckets"))),

        MessageCodec.Of<ReplaceBuckets>("XB",
            static (ref WireWriter w, ReplaceBuckets m) =>
            {
                w.WriteNonNegativeVarInt32(m.ShardId, "ReplaceBuckets.ShardId");
                w.WriteNonNegativeVarInt64(m.BatchId, "ReplaceBuckets.BatchId");
                w.WriteString(m.Primary, "ReplaceBuckets.Primary");
                w.WriteNonNegativeVarInt32(m.BucketCount, "ReplaceBuckets.BucketCount");
                w.WriteNonNegativeInt32List(m.Buckets, "ReplaceBuckets.Buckets");
                WriteReplicaEntries(ref w, m.Entries, "ReplaceBuckets.Entries");
            },
            static (ref WireReader r) => new ReplaceBuckets(
                r.ReadNonNegativeVarInt32("ReplaceBuckets.ShardId"),
                r.ReadNonNegativeVarInt64("ReplaceBuckets.BatchId"),
                r.ReadString(),
                r.ReadNonNegativeVarInt32("ReplaceBuckets.BucketCount"),
                r.ReadNonNegativeInt32List("ReplaceBuckets.Buckets"),
                ReadReplicaEntries(ref r))),

        MessageCodec.Of<RequestShardCopy>("XC",
            static (ref WireWriter w, RequestShardCopy m) =>
            {
                w.WriteNonNegativeVarInt32(m.ShardId, "RequestShardCopy.ShardId");
                w.WriteNonNegativeVarInt64(m.RequestId, "RequestShardCopy.RequestId");
                w.WriteString(m.Requester, "RequestShardCopy.Requester");
            },
            static (ref WireReader r) => new RequestShardCopy(
                r.ReadNonNegativeVarInt32("RequestShardCopy.ShardId"),
                r.ReadNonNegativeVarInt64("RequestShardCopy.RequestId"),
                r.ReadString())),

        MessageCodec.Of<ShardCopy>("XCC",
            static (ref WireWriter w, ShardCopy m) =>
            {
                w.WriteNonNegativeVarInt32(m.ShardId, "ShardCopy.ShardId");
                w.WriteNonNegativeVarInt64(m.RequestId, "ShardCopy.RequestId");
                w.WriteString(m.Replica, "ShardCopy.Replica");
                w.WriteVarInt64(m.MaxEpoch);
                w.WriteNonNegativeVarInt32(m.Chunk, "ShardCopy.Chunk");
                w.WriteBool(m.IsLast);
                WriteReplicaEntries(ref w, m.Entries, "ShardCopy.Entries");
                w.WriteString(m.PreviousPrimary, "ShardCopy.PreviousPrimary");
            },
            static (ref WireReader r) => new ShardCopy(
                r.ReadNonNegativeVarInt32("ShardCopy.ShardId"),
                r.ReadNonNegativeVarInt64("ShardCopy.RequestId"),
                r.ReadString(),
                r.ReadVarInt64(),
                r.ReadNonNegativeVarInt32("ShardCopy.Chunk"),
                r.ReadBool(),
                ReadReplicaEntries(ref r),
                r.ReadString())),

        MessageCodec.Of<ShardMoved>("XM",
            static (ref WireWriter w, ShardMoved m) =>
            {
                w.WriteNonNegativeVarInt32(m.ShardId, "ShardMoved.ShardId");
                w.WriteString(m.From, "ShardMoved.From");
                w.WriteString(m.To, "ShardMoved.To");
                w.WriteNonNegativeVarInt64(m.Keys, "ShardMoved.Keys");
            },
            static (ref WireReader r) => new ShardMoved(
                r.ReadNonNegativeVarInt32("ShardMoved.ShardId"),
                r.ReadString(),
                r.ReadString(),
                r.ReadNonNegativeVarInt64("ShardMoved.Keys"))),

        MessageCodec.Of<MemoryPressure>("XP",
            static (ref WireWriter w, MemoryPressure m) =>
            {
                w.WriteNonNegativeVarInt32(m.ShardId, "MemoryPressure.ShardId");
                w.WriteString(m.Replica, "MemoryPressure.Replica");
                w.WriteNonNegativeVarInt64(m.UsedBytes, "MemoryPressure.UsedBytes");
                w.WriteNonNegativeVarInt64(m.LimitBytes, "MemoryPressure.LimitBytes");
            },
            static (ref WireReader r) => new MemoryPressure(
                r.ReadNonNegativeVarInt32("MemoryPressure.ShardId"),
                r.ReadString(),
                r.ReadNonNegativeVarInt64("MemoryPressure.UsedBytes"),
                r.ReadNonNegativeVarInt64("MemoryPressure.LimitBytes"))),
    ];

    private static void WriteNested(ref WireWriter w, IReplicationMessage? message, string field, int index)
    {
        if (!TryWriteNested(ref w, NestedKinds, message))
            throw message is null ? NullElement(field, index) : new SerializationException(
                $"Field {field}[{index}] is a {message.GetType().Name}; a replica batch carries only replication messages.");
    }

    private static IReplicationMessage ReadNested(ref WireReader r) =>
        (IReplicationMessage)NestedKinds[r.ReadEnum((byte)(NestedKinds.Length - 1), "ReplicaBatchKind")].Read(ref r);

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
}
