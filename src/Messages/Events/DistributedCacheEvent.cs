namespace DistCacheAkka.Messages;

/// <summary>The kinds of cluster events. Wire values are append-only: never renumber.</summary>
public enum CacheEventKind : byte
{
    NodeJoined = 0,
    NodeLeft = 1,
    KeyInvalidated = 2,
    ReplicationComplete = 3,
    FailoverOccurred = 4,
    RebalancingProgress = 5,
}

/// <summary>An event of the cache cluster, published cluster-wide through DistributedPubSub, one topic per kind.</summary>
public abstract record DistributedCacheEvent(DateTimeOffset Timestamp) : ICacheMessage
{
    public abstract CacheEventKind Kind { get; }

    /// <summary>The DistributedPubSub topic that carries events of <paramref name="kind"/>.</summary>
    public static string TopicFor(CacheEventKind kind) => Topics[(int)kind];

    private static readonly string[] Topics = Enum.GetValues<CacheEventKind>()
        .Select(k => "distcache-events-" + k).ToArray();
}

/// <summary>A member joined the cluster and is Up.</summary>
public sealed record NodeJoined(string Address, IReadOnlyList<string> Roles, DateTimeOffset Timestamp)
    : DistributedCacheEvent(Timestamp)
{
    public override CacheEventKind Kind => CacheEventKind.NodeJoined;
}

/// <summary>Why a node left. Wire values are append-only.</summary>
public enum NodeLeftReason : byte
{
    /// <summary>It left gracefully (coordinated shutdown).</summary>
    Graceful = 0,

    /// <summary>It was downed (by the split brain resolver or an operator) after becoming unreachable.</summary>
    Downed = 1,
}

public sealed record NodeLeft(string Address, NodeLeftReason Reason, DateTimeOffset Timestamp)
    : DistributedCacheEvent(Timestamp)
{
    public override CacheEventKind Kind => CacheEventKind.NodeLeft;
}

/// <summary>Why a key's previous value stopped being served. Wire values are append-only.</summary>
public enum InvalidationReason : byte
{
    Removed = 0,
    Expired = 1,
    Evicted = 2,
    Overwritten = 3,
}

/// <summary>A key's value was removed, expired, evicted or overwritten (so near caches must drop it).</summary>
public sealed record KeyInvalidated(string Key, InvalidationReason Reason, EntryVersion Version, DateTimeOffset Timestamp)
    : DistributedCacheEvent(Timestamp)
{
    public override CacheEventKind Kind => CacheEventKind.KeyInvalidated;
}

/// <summary>A write reached all <see cref="Replicas"/> replicas of its shard.</summary>
public sealed record ReplicationComplete(string Key, EntryVersion Version, int Replicas, DateTimeOffset Timestamp)
    : DistributedCacheEvent(Timestamp)
{
    public override CacheEventKind Kind => CacheEventKind.ReplicationComplete;
}

/// <summary>A shard's primary moved from a failed node to another node, which recovered the shard from replicas.
/// Published for every failed-over shard, empty ones included (<see cref="KeysRecovered"/> = 0).</summary>
public sealed record FailoverOccurred(int ShardId, string FromNode, string ToNode, long KeysRecovered, DateTimeOffset Timestamp)
    : DistributedCacheEvent(Timestamp)
{
    public override CacheEventKind Kind => CacheEventKind.FailoverOccurred;
}

/// <summary>Progress of a rebalance after a membership change.</summary>
public sealed record RebalancingProgress(int ShardsMoved, int ShardsTotal, long KeysMoved, DateTimeOffset Timestamp)
    : DistributedCacheEvent(Timestamp)
{
    public override CacheEventKind Kind => CacheEventKind.RebalancingProgress;

    public double Percent => ShardsTotal == 0 ? 100.0 : 100.0 * ShardsMoved / ShardsTotal;
}
