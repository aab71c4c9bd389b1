using Akka.Actor;
using DistCacheAkka.CacheNode.Cluster;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.NearCache;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.CacheNode.Entries;

/// <summary>What every EntryActor of a node shares: settings, routing, metrics, and where events go.
/// <see cref="Moves"/> collects the shard moves new primaries report (read by the allocation strategy).
/// <see cref="Memory"/> is the node's memory budget, shared by every primary and backup store of the node (null: an
/// unlimited budget of its own per store, for tests that do not exercise memory). <see cref="Streams"/> takes the
/// primaries' changes to the node's near-cache invalidation feed (null: no feed, for tests without one).</summary>
internal sealed record NodeContext(
    DistCacheSettings Settings,
    ShardResolver Resolver,
    NodeMetrics Metrics,
    EventInterest Interest,
    IActorRef Events,
    TimeProvider Time,
    ReplicaView View,
    IReplicaTransport Transport,
    RebalanceTally? Moves = null,
    MemoryBudget? Memory = null,
    StreamLog? Streams = null)
{
    private readonly MemoryBudget _unlimited = MemoryBudget.Unlimited();

    /// <summary>The node's budget; with none configured, one unlimited budget per context.</summary>
    public MemoryBudget Budget => Memory ?? _unlimited;
}
