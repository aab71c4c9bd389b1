using Akka.Actor;
using DistCacheAkka.CacheNode.Cluster;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.CacheNode.Entries;

/// <summary>What every EntryActor of a node shares: settings, routing, metrics, and where events go.
/// <see cref="Moves"/> collects the shard moves new primaries report (read by the allocation strategy).</summary>
internal sealed record NodeContext(
    DistCacheSettings Settings,
    ShardResolver Resolver,
    NodeMetrics Metrics,
    EventInterest Interest,
    IActorRef Events,
    TimeProvider Time,
    ReplicaView View,
    IReplicaTransport Transport,
    RebalanceTally? Moves = null);
