using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Remote;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using static Akka.Cluster.ClusterEvent;

namespace DistCacheAkka.CacheNode.Cluster;

/// <summary>
/// The node's cluster event subscriber. Keeps the <see cref="ReplicaView"/> (data nodes that are Up or Leaving —
/// a leaving node still serves its copies while it hands its shards off — and which of them are unreachable) and
/// publishes NodeJoined / NodeLeft. Only the oldest Up data node publishes, so each change is announced once, by a
/// node whose pub-sub registry already knows the subscribers (a leader chosen by address could be the node that
/// just joined, whose registry has not caught up yet; the cluster leader could even be a client).
/// It also stops a node that the cluster removed while it was frozen or cut off (issue 13): a member that learns
/// that another member has quarantined it (Akka.Remote's <see cref="ThisActorSystemQuarantinedEvent"/>; members
/// quarantine a node when it is removed; a quarantine by a non-member, a client, is ignored) downs itself, which shuts the node down (exit code 3). Without this, a node
/// downed during a long pause could resume, find every other member unreachable, have its own split brain resolver
/// keep its side, and run on as a one-node cluster recovering stale shards from its own copies (seen in the nemesis:
/// 3 of 18 such nodes were still running 30 s after SIGCONT).
/// </summary>
internal sealed class ClusterEventsActor : ReceiveActor
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly IActorRef _events;
    private readonly ReplicaView _view;
    private readonly string _dataRole;
    private readonly TimeProvider _time;
    private readonly HashSet<Address> _downed = [];

    // The membership as the events describe it. Cluster.State is updated by another subscriber and can lag behind
    // the event being handled, so the view is built from the events themselves.
    private readonly Dictionary<UniqueAddress, Member> _members = new();

    public ClusterEventsActor(IActorRef events, ReplicaView view, string dataRole, TimeProvider time)
    {
        _events = events;
        _view = view;
        _dataRole = dataRole;
        _time = time;
        Receive<CurrentClusterState>(state =>
        {
            foreach (var member in state.Members)
                _members[member.UniqueAddress] = member;
            RefreshMembers();
            foreach (var member in state.Unreachable)
                _view.MarkUnreachable(member.Address.ToString());
        });
        Receive<MemberUp>(up =>
        {
            Track(up.Member);
            if (up.Member.HasRole(_dataRole))
                PublishIfLeader(new NodeJoined(up.Member.Address.ToString(), up.Member.Roles.ToArray(), _time.GetUtcNow()));
        });
        Receive<MemberDowned>(down =>
        {
            Track(down.Member);
            _downed.Add(down.Member.Address);
        });
        Receive<MemberRemoved>(removed =>
        {
            _members.Remove(removed.Member.UniqueAddress);
            RefreshMembers();
            if (!removed.Member.HasRole(_dataRole))
                return;
            var reason = _downed.Remove(removed.Member.Address) || removed.PreviousStatus == MemberStatus.Down
                ? NodeLeftReason.Downed
                : NodeLeftReason.Graceful;
            PublishIfLeader(new NodeLeft(removed.Member.Address.ToString(), reason, _time.GetUtcNow()));
        });
        Receive<IMemberEvent>(e => Track(e.Member));
        Receive<ThisActorSystemQuarantinedEvent>(e =>
        {
            // Only a member's verdict counts: a client (not a member since data path v2) may quarantine this node
            // after a pause of its own failure detector, which says nothing about the cluster.
            if (!_members.Keys.Any(m => m.Address.Equals(e.RemoteAddress)))
            {
                Context.GetLogger().Warning("{0}, not a cluster member, quarantined this node; ignored (clients cannot down data nodes).", e.RemoteAddress);
                return;
            }

            Context.GetLogger().Error("{0} quarantined this node: the cluster has removed it. Downing itself (the node stops; restart it to rejoin with a new identity).",
                e.RemoteAddress);
            _cluster.Down(_cluster.SelfAddress);
        });
        Receive<UnreachableMember>(e => _view.MarkUnreachable(e.Member.Address.ToString()));
        Receive<ReachableMember>(e => _view.MarkReachable(e.Member.Address.ToString()));
    }

    public static Props Props(IActorRef events, ReplicaView view, string dataRole, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new ClusterEventsActor(events, view, dataRole, time));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(IMemberEvent), typeof(IReachabilityEvent));
        Context.System.EventStream.Subscribe(Self, typeof(ThisActorSystemQuarantinedEvent));
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    private void Track(Member member)
    {
        _members[member.UniqueAddress] = member;
        RefreshMembers();
    }

    /// <summary>Updates the view; when the data nodes changed, tells the EntryActors (local event stream), so a
    /// primary fills a new backup at once instead of at its next anti-entropy round.</summary>
    private void RefreshMembers()
    {
        var members = _members.Values
            .Where(m => ReplicaSets.IsDataNode(m, _dataRole))
            .Select(m => m.Address.ToString())
            .ToList();
        var changed = !members.ToHashSet().SetEquals(_view.Members);
        _view.SetMembers(members);
        if (changed)
            Context.System.EventStream.Publish(ReplicaViewChanged.Instance);
    }

    private void PublishIfLeader(DistributedCacheEvent evt)
    {
        var oldest = _members.Values
            .Where(m => m.Status == MemberStatus.Up && m.HasRole(_dataRole))
            .Aggregate((Member?)null, (a, m) => a is null || m.IsOlderThan(a) ? m : a);
        if (oldest?.Address == _cluster.SelfAddress)
            _events.Tell(evt);
    }
}
