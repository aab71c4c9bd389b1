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
/// </summary>
internal sealed class ShardWarmupActor : ReceiveActor, IWithTimers
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);

    public ShardWarmupActor(IActorRef region, ShardResolver resolver, TimeSpan settle)
    {
        Receive<IMemberEvent>(_ => Timers.StartSingleTimer(Warm.Instance, Warm.Instance, settle));
        Receive<CurrentClusterState>(_ => Timers.StartSingleTimer(Warm.Instance, Warm.Instance, settle));
        Receive<Warm>(_ =>
        {
            if (_cluster.SelfMember.Status != MemberStatus.Up)
                return; // a later member event restarts the timer
            for (var shard = 0; shard < resolver.Shards; shard++)
                region.Tell(new ShardRegion.StartEntity(resolver.IdOf(shard)));
            _cluster.Unsubscribe(Self);
            Become(() => ReceiveAny(_ => { })); // StartEntityAck and late events
        });
        ReceiveAny(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef region, ShardResolver resolver, TimeSpan settle) =>
        Akka.Actor.Props.Create(() => new ShardWarmupActor(region, resolver, settle));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(IMemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private sealed class Warm
    {
        public static readonly Warm Instance = new();
    }
}
