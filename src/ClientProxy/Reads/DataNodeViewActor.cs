using Akka.Actor;
using Akka.Cluster;
using static Akka.Cluster.ClusterEvent;

namespace DistCacheAkka.ClientProxy.Reads;

/// <summary>
/// Keeps the client's <see cref="DataNodeView"/> from cluster events. The view is built from the events themselves,
/// not from Cluster.State, which another subscriber updates and which can lag behind the event being handled.
/// </summary>
internal sealed class DataNodeViewActor : ReceiveActor
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly Dictionary<UniqueAddress, Member> _members = new();
    private readonly HashSet<UniqueAddress> _unreachable = [];
    private readonly DataNodeView _view;
    private readonly string _dataRole;

    public DataNodeViewActor(DataNodeView view, string dataRole)
    {
        _view = view;
        _dataRole = dataRole;
        Receive<CurrentClusterState>(state =>
        {
            foreach (var member in state.Members)
                _members[member.UniqueAddress] = member;
            foreach (var member in state.Unreachable)
                _unreachable.Add(member.UniqueAddress);
            Publish();
        });
        Receive<MemberRemoved>(removed =>
        {
            _members.Remove(removed.Member.UniqueAddress);
            _unreachable.Remove(removed.Member.UniqueAddress);
            Publish();
        });
        Receive<IMemberEvent>(e =>
        {
            _members[e.Member.UniqueAddress] = e.Member;
            Publish();
        });
        Receive<UnreachableMember>(e =>
        {
            _unreachable.Add(e.Member.UniqueAddress);
            Publish();
        });
        Receive<ReachableMember>(e =>
        {
            _unreachable.Remove(e.Member.UniqueAddress);
            Publish();
        });
    }

    public static Props Props(DataNodeView view, string dataRole) =>
        Akka.Actor.Props.Create(() => new DataNodeViewActor(view, dataRole));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(IMemberEvent), typeof(IReachabilityEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Publish() => _view.Update(
        _members.Values.Where(m => m.HasRole(_dataRole) && m.Status is MemberStatus.Up or MemberStatus.Leaving).Select(m => m.Address.ToString()),
        _unreachable.Select(u => u.Address.ToString()));
}
