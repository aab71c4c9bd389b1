using Akka.Actor;
using Akka.Cluster;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.Messages;
using static Akka.Cluster.ClusterEvent;

namespace DistCacheAkka.CacheNode.Cluster;

/// <summary>
/// The node's cluster event subscriber. Keeps the <see cref="ReplicaView"/> (data nodes that are Up or Leaving —
/// a leaving node still serves its copies while it hands its shards off — and which of them are unreachable) and
/// publishes NodeJoined / NodeLeft. Only the oldest Up data node publishes, so each change is announced once, by a
/// node whose pub-sub registry already knows the subscribers (a leader chosen by address could be the node that
/// just joined, whose registry has not caught up yet; the cluster leader could even be a client).
/// </summary>
internal sealed class ClusterEventsActor : ReceiveActor
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly IActorRef _events;
    private readonly ReplicaView _view;
    private readonly string _dataRole;
    private readonly TimeProvider _time;
    private readonly HashSet<Address> _downed = [];

    public ClusterEventsActor(IActorRef events, ReplicaView view, string dataRole, TimeProvider time)
    {
        _events = events;
        _view = view;
        _dataRole = dataRole;
        _time = time;
        Receive<CurrentClusterState>(state =>
        {
            RefreshMembers(state.Members);
            foreach (var member in state.Unreachable)
                _view.MarkUnreachable(member.Address.ToString());
        });
        Receive<MemberUp>(up =>
        {
            RefreshMembers(_cluster.State.Members);
            if (up.Member.HasRole(_dataRole))
                PublishIfLeader(new NodeJoined(up.Member.Address.ToString(), up.Member.Roles.ToArray(), _time.GetUtcNow()));
        });
        Receive<MemberDowned>(down => _downed.Add(down.Member.Address));
        Receive<MemberRemoved>(removed =>
        {
            RefreshMembers(_cluster.State.Members);
            if (!removed.Member.HasRole(_dataRole))
                return;
            var reason = _downed.Remove(removed.Member.Address) || removed.PreviousStatus == MemberStatus.Down
                ? NodeLeftReason.Downed
                : NodeLeftReason.Graceful;
            PublishIfLeader(new NodeLeft(removed.Member.Address.ToString(), reason, _time.GetUtcNow()));
        });
        Receive<IMemberEvent>(_ => RefreshMembers(_cluster.State.Members));
        Receive<UnreachableMember>(e => _view.MarkUnreachable(e.Member.Address.ToString()));
        Receive<ReachableMember>(e => _view.MarkReachable(e.Member.Address.ToString()));
    }

    public static Props Props(IActorRef events, ReplicaView view, string dataRole, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new ClusterEventsActor(events, view, dataRole, time));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(IMemberEvent), typeof(IReachabilityEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void RefreshMembers(IEnumerable<Member> members) =>
        _view.SetMembers(members
            .Where(m => m.HasRole(_dataRole) && m.Status is MemberStatus.Up or MemberStatus.Leaving)
            .Select(m => m.Address.ToString())
            .ToList());

    private void PublishIfLeader(DistributedCacheEvent evt)
    {
        var oldest = _cluster.State.Members
            .Where(m => m.Status == MemberStatus.Up && m.HasRole(_dataRole))
            .Aggregate((Member?)null, (a, m) => a is null || m.IsOlderThan(a) ? m : a);
        if (oldest?.Address == _cluster.SelfAddress)
            _events.Tell(evt);
    }
}
