namespace DistCacheAkka.Messages;

// Replica-to-replica traffic. These messages go straight to a node's ReplicatorActor (by path), never through
// the shard region. Every request carries an id that its reply echoes, so replies are never confused.

/// <summary>Marker of replica-to-replica messages; all concern one shard.</summary>
public interface IReplicationMessage : ICacheMessage
{
    int ShardId { get; }
}

/// <summary>
/// The full replicated state of one key: a live value or a tombstone, with its version and expiry. Deadlines are
/// absolute UTC ticks (0 = never), so every replica expires an entry at the same moment.
/// </summary>
public sealed record ReplicaEntry(
    string Key,
    byte[] Value,
    EntryVersion Version,
    ExpiryKind ExpiryKind,
    long SlidingTicks,
    long DeadlineTicks,
    bool IsTombstone);

/// <summary>Primary → backup: apply each entry if its version is newer than the backup's. Replies <see cref="ReplicateAck"/>.</summary>
public sealed record ReplicateEntries(int ShardId, long BatchId, string Primary, IReadOnlyList<ReplicaEntry> Entries)
    : IReplicationMessage;

/// <summary>Backup → primary: every entry of batch <see cref="BatchId"/> is applied (or was already superseded).</summary>
public sealed record ReplicateAck(int ShardId, long BatchId, string Replica) : IReplicationMessage;

/// <summary>
/// Backup → primary, at most once a second per shard while the backup's node is over its memory budget: the primary
/// then evicts what each write adds, or twice that when the node is more than 2% over (or, under noeviction, refuses
/// writes naming this usage), because a backup never evicts on its own what its primary still holds.
/// </summary>
public sealed record MemoryPressure(int ShardId, string Replica, long UsedBytes, long LimitBytes) : IReplicationMessage;

/// <summary>Primary → backup: read these keys of the backup copy (for Quorum and Strong reads). Replies <see cref="ReplicaKeysRead"/>.</summary>
public sealed record ReadReplicaKeys(int ShardId, long RequestId, IReadOnlyList<string> Keys) : IReplicationMessage;

/// <summary>The backup's entries (values or tombstones) for the requested keys it holds; absent keys are omitted.</summary>
public sealed record ReplicaKeysRead(int ShardId, long RequestId, string Replica, IReadOnlyList<ReplicaEntry> Entries)
    : IReplicationMessage;

/// <summary>
/// Anti-entropy, primary → backup: a digest per bucket of the shard (keys bucketed by hash). The backup answers
/// <see cref="DigestMismatch"/> with the buckets whose digest differs from its own (empty when in sync).
/// </summary>
public sealed record ShardDigest(int ShardId, long RequestId, string Primary, IReadOnlyList<ulong> Buckets) : IReplicationMessage;

public sealed record DigestMismatch(int ShardId, long RequestId, string Replica, IReadOnlyList<int> Buckets) : IReplicationMessage;

/// <summary>
/// Primary → backup: the authoritative content of some buckets. The backup drops what it holds in those buckets and
/// applies <see cref="Entries"/>; further entries of the same buckets may follow as <see cref="ReplicateEntries"/>
/// (ordering between one sender and one receiver is preserved). Replies <see cref="ReplicateAck"/>.
/// </summary>
public sealed record ReplaceBuckets(int ShardId, long BatchId, string Primary, int BucketCount, IReadOnlyList<int> Buckets, IReadOnlyList<ReplicaEntry> Entries)
    : IReplicationMessage;

/// <summary>Recovery, new primary → every data node: send your copy of the shard. Replies one or more <see cref="ShardCopy"/> chunks.</summary>
public sealed record RequestShardCopy(int ShardId, long RequestId, string Requester) : IReplicationMessage;

/// <summary>
/// A chunk of a node's copy of a shard. <see cref="MaxEpoch"/> is the greatest epoch the node has seen for the
/// shard; <see cref="IsLast"/> ends the node's answer (a node without a copy answers one empty last chunk).
/// <see cref="PreviousPrimary"/> is the primary the node last heard from for the shard ("" if none), so the new
/// primary can tell a failover (that node is gone) from a rebalance.
/// </summary>
public sealed record ShardCopy(
    int ShardId, long RequestId, string Replica, long MaxEpoch, int Chunk, bool IsLast, IReadOnlyList<ReplicaEntry> Entries,
    string PreviousPrimary = "")
    : IReplicationMessage;

/// <summary>
/// Rebalancing, new primary → every data node: shard <see cref="ShardId"/> moved from <see cref="From"/> (a node that
/// is still a member: a rebalance or a graceful leave, not a failover) to <see cref="To"/>, which now holds
/// <see cref="Keys"/> live keys of it. The sharding coordinator's node counts them into RebalancingProgress.KeysMoved.
/// No reply.
/// </summary>
public sealed record ShardMoved(int ShardId, string From, string To, long Keys) : IReplicationMessage;

/// <summary>
/// One node → one node's ReplicatorActor: the replication messages the sending node's actors addressed to that node
/// since its last batch (any shards, any senders), in the order they were sent, so one remote message and one reply
/// carry many writes (ordering between one sender and one receiver is kept). Replies <see cref="ReplicaBatchReply"/>:
/// one or more, the last with <see cref="ReplicaBatchReply.IsLast"/>, even when no message had anything to answer.
/// </summary>
public sealed record ReplicaBatch(long Seq, IReadOnlyList<IReplicationMessage> Messages) : ICacheMessage;

/// <summary>The answer to message <see cref="Index"/> of a <see cref="ReplicaBatch"/> (one message may have several:
/// the chunks of a <see cref="ShardCopy"/>).</summary>
public sealed record ReplicaReply(int Index, IReplicationMessage Message);

/// <summary>The replies to the messages of batch <see cref="Seq"/>, in the order the replicator produced them; a batch
/// whose replies are large (shard copies) is answered in several, the last marked <see cref="IsLast"/>.</summary>
public sealed record ReplicaBatchReply(long Seq, bool IsLast, IReadOnlyList<ReplicaReply> Replies) : ICacheMessage;
