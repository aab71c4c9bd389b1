using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Event;
using DistCacheAkka.Messages.Hashing;
using static Akka.Cluster.ClusterEvent;

namespace DistCacheAkka.CacheNode.Cluster;

/// <summary>
/// Starts every shard once this node is Up and the membership has been stable for a moment, so shard allocation
/// (one coordinator state write per shard, a few milliseconds each) and recovery happen at startup rather than on
/// the first requests. Waiting for a stable membership keeps nodes that start together from first allocating
/// everything to the first of them and then rebalancing; a node that joins much later gets its shards by rebalance.
/// After a data node is removed, it starts every shard again so the removed node's shards are re-allocated and
/// recovered immediately: until then a failed-over shard has no primary, nothing restores its replication factor,
/// and a second failure (or a graceful leave of the node with its only copy) loses what it held.
/// So each round sends StartEntity for every shard, then every <see cref="RetryInterval"/> asks the regions which
/// shards run (GetClusterShardingStats) and starts the missing ones again, until none is missing (at most
/// <see cref="MaxRetries"/> times): a StartEntity sent while the region still routes the shard to the removed node,
/// or while the coordinator moves, is lost (it went to dead letters in the nemesis runs of issue 13 and left a third
/// of the shards without a primary). StartEntity's own acknowledgement is internal to Akka.Cluster.Sharding.
/// </summary>
internal sealed class ShardWarmupActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);
    public const int MaxRetries = 60;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly IActorRef _region;
    private readonly ShardResolver _resolver;
    private int _retries;
    private bool _checking;

    public ShardWarmupActor(IActorRef region, ShardResolver resolver, TimeSpan settle, int minDataNodes, string dataRole, Action onWarmedUp)
    {
        _region = region;
        _resolver = resolver;
        Receive<IMemberEvent>(_ => Timers.StartSingleTimer(Warm.Instance, Warm.Instance, settle));
        Receive<CurrentClusterState>(_ => Timers.StartSingleTimer(Warm.Instance, Warm.Instance, settle));
        Receive<Warm>(_ =>
        {
            var dataNodes = _cluster.State.Members.Count(m => m.Status == MemberStatus.Up && m.HasRole(dataRole));
            if (_cluster.SelfMember.Status != MemberStatus.Up || dataNodes < minDataNodes)
                return; // a later member event restarts the timer
            StartAll();
            onWarmedUp();
            Become(() =>
            {
                // A removed data node leaves its shards unallocated: start them again at once, so re-allocation and
                // recovery from replicas begin at removal instead of at the first request (failover latency).
                Receive<MemberRemoved>(_ => StartAll());
                Receive<StartShards>(start =>
                {
                    foreach (var id in start.ShardIds)
                        region.Tell(new ShardRegion.StartEntity(id));
                });
                ReceiveChecks();
                ReceiveAny(_ => { }); // other member events
            });
        });
        ReceiveChecks();
        ReceiveAny(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private void ReceiveChecks()
    {
        Receive<Retry>(_ =>
        {
            if (_checking)
                return;
            _checking = true;
            _region.Ask<ClusterShardingStats>(new GetClusterShardingStats(RetryInterval), RetryInterval + RetryInterval)
                .PipeTo(Self, failure: _ => new ShardsRunning(null));
        });
        Receive<ClusterShardingStats>(stats =>
            Self.Tell(new ShardsRunning(stats.Regions.Values.SelectMany(r => r.Stats.Keys).ToHashSet(StringComparer.Ordinal))));
        Receive<ShardsRunning>(running =>
        {
            _checking = false;
            if (running.ShardIds is null)
                return; // the query timed out (the coordinator may be moving): ask again next round
            var missing = Enumerable.Range(0, _resolver.Shards).Select(_resolver.IdOf).Where(id => !running.ShardIds.Contains(id)).ToList();
            if (missing.Count == 0)
            {
                Timers.Cancel(Retry.Instance);
                return;
            }

            if (++_retries > MaxRetries)
            {
                Context.GetLogger().Warning("{0} shards still not started after {1} rounds of StartEntity: they start on their first request",
                    missing.Count, MaxRetries);
                Timers.Cancel(Retry.Instance);
                return;
            }

            foreach (var id in missing)
                _region.Tell(new ShardRegion.StartEntity(id));
        });
    }

    private void StartAll()
    {
        _retries = 0;
        for (var shard = 0; shard < _resolver.Shards; shard++)
            _region.Tell(new ShardRegion.StartEntity(_resolver.IdOf(shard)));
        Timers.StartPeriodicTimer(Retry.Instance, Retry.Instance, RetryInterval);
    }

    /// <param name="onWarmedUp">Called once, when every shard has been asked to start (readiness).</param>
    public static Props Props(IActorRef region, ShardResolver resolver, TimeSpan settle, int minDataNodes, string dataRole, Action onWarmedUp) =>
        Akka.Actor.Props.Create(() => new ShardWarmupActor(region, resolver, settle, minDataNodes, dataRole, onWarmedUp));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(IMemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private sealed class Warm
    {
        public static readonly Warm Instance = new();
    }

    private sealed class Retry
    {
        public static readonly Retry Instance = new();
    }

    /// <summary>The shards some region runs, or null when the query failed.</summary>
    private sealed record ShardsRunning(HashSet<string>? ShardIds);
}

/// <summary>Local, from the allocation strategy: start these shards (just moved by a rebalance) at their new home.</summary>
internal sealed record StartShards(IReadOnlyList<string> ShardIds);
