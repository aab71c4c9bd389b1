using Akka.Actor;
using Akka.Cluster;
using DistCacheAkka.Messages;
using static Akka.Cluster.ClusterEvent;

namespace DistCacheAkka.CacheNode.Cluster;

/// <summary>
/// Subscribes to member events and publishes NodeJoined / NodeLeft. Only the leader of the data role publishes, so
/// each change is announced once rather than once per node (the cluster leader may be a client, which hosts no
/// ClusterEventsActor). (Failover and rebalancing events arrive with recovery.)
/// </summary>
internal sealed class ClusterEventsActor : ReceiveActor
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly IActorRef _events;
    private readonly TimeProvider _time;
    private readonly HashSet<Address> _downed = [];
    private readonly string _dataRole;

    public ClusterEventsActor(IActorRef events, string dataRole, TimeProvider time)
    {
        _dataRole = dataRole;
        _events = events;
        _time = time;
        Receive<MemberUp>(up => PublishIfLeader(new NodeJoined(up.Member.Address.ToString(), up.Member.Roles.ToArray(), _time.GetUtcNow())));
        Receive<MemberDowned>(down => _downed.Add(down.Member.Address));
        Receive<MemberRemoved>(removed =>
        {
            var reason = _downed.Remove(removed.Member.Address) || removed.PreviousStatus == MemberStatus.Down
                ? NodeLeftReason.Downed
                : NodeLeftReason.Graceful;
            PublishIfLeader(new NodeLeft(removed.Member.Address.ToString(), reason, _time.GetUtcNow()));
        });
        Receive<CurrentClusterState>(_ => { }); // members already up were announced when they joined
        Receive<IMemberEvent>(_ => { });
    }

    public static Props Props(IActorRef events, string dataRole, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new ClusterEventsActor(events, dataRole, time));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(IMemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void PublishIfLeader(DistributedCacheEvent evt)
    {
        if (_cluster.State.RoleLeader(_dataRole) == _cluster.SelfAddress)
            _events.Tell(evt);
    }
}
