using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using DistCacheAkka.Messages.Hashing;
using static Akka.Cluster.ClusterEvent;

namespace DistCacheAkka.CacheNode.Cluster;

/// <summary>
/// Starts every shard once this node is Up and the membership has been stable for a moment, so shard allocation
/// (one coordinator state write per shard, a few milliseconds each) and recovery happen at startup rather than on
/// the first requests. Waiting for a stable membership keeps nodes that start together from first allocating
/// everything to the first of them and then rebalancing; a node that joins much later gets its shards by rebalance.
/// After a data node is removed, it starts every shard again so the removed node's shards are re-allocated and
/// recovered immediately.
/// </summary>
internal sealed class ShardWarmupActor : ReceiveActor, IWithTimers
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);

    public ShardWarmupActor(IActorRef region, ShardResolver resolver, TimeSpan settle, int minDataNodes, string dataRole, Action onWarmedUp)
    {
        Receive<IMemberEvent>(_ => Timers.StartSingleTimer(Warm.Instance, Warm.Instance, settle));
        Receive<CurrentClusterState>(_ => Timers.StartSingleTimer(Warm.Instance, Warm.Instance, settle));
        Receive<Warm>(_ =>
        {
            var dataNodes = _cluster.State.Members.Count(m => m.Status == MemberStatus.Up && m.HasRole(dataRole));
            if (_cluster.SelfMember.Status != MemberStatus.Up || dataNodes < minDataNodes)
                return; // a later member event restarts the timer
            StartAll(region, resolver);
            onWarmedUp();
            Become(() =>
            {
                // A removed data node leaves its shards unallocated: start them again at once, so re-allocation and
                // recovery from replicas begin at removal instead of at the first request (failover latency).
                Receive<MemberRemoved>(_ => StartAll(region, resolver));
                Receive<StartShards>(start =>
                {
                    foreach (var id in start.ShardIds)
                        region.Tell(new ShardRegion.StartEntity(id));
                });
                ReceiveAny(_ => { }); // StartEntityAck and other events
            });
        });
        ReceiveAny(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private static void StartAll(IActorRef region, ShardResolver resolver)
    {
        for (var shard = 0; shard < resolver.Shards; shard++)
            region.Tell(new ShardRegion.StartEntity(resolver.IdOf(shard)));
    }

    /// <param name="onWarmedUp">Called once, when every shard has been started (readiness).</param>
    public static Props Props(IActorRef region, ShardResolver resolver, TimeSpan settle, int minDataNodes, string dataRole, Action onWarmedUp) =>
        Akka.Actor.Props.Create(() => new ShardWarmupActor(region, resolver, settle, minDataNodes, dataRole, onWarmedUp));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(IMemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private sealed class Warm
    {
        public static readonly Warm Instance = new();
    }
}

/// <summary>Local, from the allocation strategy: start these shards (just moved by a rebalance) at their new home.</summary>
internal sealed record StartShards(IReadOnlyList<string> ShardIds);
