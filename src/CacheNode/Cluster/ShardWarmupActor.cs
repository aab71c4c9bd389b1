using Akka.Actor;
using Akka.Cluster.Sharding;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.CacheNode.Cluster;

/// <summary>
/// Starts every shard as soon as this node is Up, so shard allocation (one coordinator state write per shard, a
/// few milliseconds each) and recovery happen at startup, not on the first requests. Safe because shards that
/// land on the first nodes move, with their entries, when the ring strategy rebalances onto later nodes.
/// </summary>
internal sealed class ShardWarmupActor : ReceiveActor
{
    public ShardWarmupActor(IActorRef region, ShardResolver resolver)
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        Receive<Warm>(_ =>
        {
            for (var shard = 0; shard < resolver.Shards; shard++)
                region.Tell(new ShardRegion.StartEntity(resolver.IdOf(shard)));
        });
        ReceiveAny(_ => { }); // StartEntityAck
        cluster.RegisterOnMemberUp(() => Self.Tell(Warm.Instance));
    }

    public static Props Props(IActorRef region, ShardResolver resolver) =>
        Akka.Actor.Props.Create(() => new ShardWarmupActor(region, resolver));

    private sealed class Warm
    {
        public static readonly Warm Instance = new();
    }
}
