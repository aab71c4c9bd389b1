using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using static Akka.Cluster.ClusterEvent;

namespace DistCacheAkka.CacheNode.Gateway;

/// <summary>
/// The node's side of client sessions (/user/distcache-clients). Clients are not cluster members (data path v2):
/// each registers here with <see cref="RegisterClient"/> and gets this node's <see cref="NodeTopology"/> at once and
/// again on every change, so it can route each shard to the node that hosts it and notice an unreachable node as soon
/// as the cluster does. The report holds the data nodes (Up or Leaving, as the replica view counts them), the ones
/// this node sees unreachable, and the shards running here: each EntryActor's start and stop (<see cref="ShardLifecycle"/>
/// on the local event stream) is reported within <see cref="Batching"/>, so a rebalance of many shards costs a few
/// reports, not one per shard; the local region's state, polled every <see cref="PollInterval"/> and at once after a
/// membership change, corrects anything missed.
/// A registration is a lease: a client that stopped renewing it (crashed, or gone) is dropped after
/// <see cref="RegisterClient.LeaseExpiry"/>; nothing here watches a client (see <see cref="RegisterClient"/>).
/// Event subscriptions get a <see cref="ClientEventRelay"/> each; near-cache subscriptions go to the node's
/// <see cref="NearCache.NearCacheFeedActor"/>. Every report carries the port of this node's data plane (0: none), so
/// clients can send their envelopes over it instead of remoting.
/// </summary>
internal sealed class ClientRegistryActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Batching = TimeSpan.FromMilliseconds(50);

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly IActorRef _region;
    private readonly IActorRef _mediator;
    private readonly IActorRef _nearCacheFeed;
    private readonly string _dataRole;
    private readonly TimeProvider _time;
    private readonly Dictionary<IActorRef, DateTimeOffset> _clients = new();
    private readonly Dictionary<UniqueAddress, Member> _members = new();
    private readonly HashSet<UniqueAddress> _unreachable = [];
    private NodeTopology _topology;
    private readonly SortedSet<int> _running = [];
    private int[] _localShards = [];

    public ClientRegistryActor(IActorRef region, IActorRef mediator, string dataRole, TimeProvider time, IActorRef? nearCacheFeed = null, int dataPort = 0)
    {
        _nearCacheFeed = nearCacheFeed ?? ActorRefs.Nobody;
        _region = region;
        _mediator = mediator;
        _dataRole = dataRole;
        _time = time;
        // Versions start at this incarnation's start time: a node restarted at the same address reports newer ones.
        _topology = new NodeTopology(_cluster.SelfAddress.ToString(), time.GetUtcNow().UtcTicks, [], [], [], dataPort);

        Receive<RegisterClient>(_ =>
        {
            _clients[Sender] = _time.GetUtcNow() + RegisterClient.LeaseExpiry;
            Sender.Tell(_topology);
        });
        // The sender (a client's near-cache feed actor) subscribes to this node's invalidation feed.
        Receive<SubscribeInvalidations>(request => _nearCacheFeed.Forward(request));
        Receive<SubscribeClientEvents>(request =>
            Context.ActorOf(ClientEventRelay.Props(_mediator, request.Kinds, Sender, _time)));
        Receive<CurrentClusterState>(state =>
        {
            foreach (var member in state.Members)
                _members[member.UniqueAddress] = member;
            foreach (var member in state.Unreachable)
                _unreachable.Add(member.UniqueAddress);
            MembershipChanged();
        });
        Receive<MemberRemoved>(removed =>
        {
            _members.Remove(removed.Member.UniqueAddress);
            _unreachable.Remove(removed.Member.UniqueAddress);
            MembershipChanged();
        });
        Receive<IMemberEvent>(e =>
        {
            _members[e.Member.UniqueAddress] = e.Member;
            MembershipChanged();
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
        Receive<Tick>(_ =>
        {
            var now = _time.GetUtcNow();
            foreach (var (client, deadline) in _clients.ToList())
            {
                if (deadline < now)
                    _clients.Remove(client);
            }

            _region.Tell(GetShardRegionState.Instance);
        });
        Receive<ShardLifecycle>(change =>
        {
            var changed = change.Running ? _running.Add(change.Shard) : _running.Remove(change.Shard);
            if (changed && !Timers.IsTimerActive(Flush.Instance))
                Timers.StartSingleTimer(Flush.Instance, Flush.Instance, Batching);
        });
        Receive<Flush>(_ =>
        {
            _localShards = _running.ToArray();
            Publish();
        });
        Receive<CurrentShardRegionState>(state =>
        {
            // A shard that did not answer the region's query in time (busy) still runs here: it is listed as failed.
            var shards = new List<int>(state.Shards.Count + state.Failed.Count);
            foreach (var shardId in state.Shards.Select(s => s.ShardId).Concat(state.Failed))
            {
                if (int.TryParse(shardId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                    shards.Add(id);
            }

            _running.Clear();
            _running.UnionWith(shards);
            _localShards = _running.ToArray();
            Publish();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef region, IActorRef mediator, string dataRole, TimeProvider time, IActorRef? nearCacheFeed = null, int dataPort = 0) =>
        Akka.Actor.Props.Create(() => new ClientRegistryActor(region, mediator, dataRole, time, nearCacheFeed, dataPort));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(IMemberEvent), typeof(IReachabilityEvent));
        Context.System.EventStream.Subscribe(Self, typeof(ShardLifecycle));
        Timers.StartPeriodicTimer(Tick.Instance, Tick.Instance, PollInterval);
        _region.Tell(GetShardRegionState.Instance); // shards that started before this actor
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    /// <summary>Shards move after membership changes: look again now rather than at the next poll.</summary>
    private void MembershipChanged()
    {
        Publish();
        _region.Tell(GetShardRegionState.Instance);
    }

    /// <summary>Recomputes the report and sends it to every registered client if it changed.</summary>
    private void Publish()
    {
        var dataNodes = _members.Values
            .Where(m => ReplicaSets.IsDataNode(m, _dataRole))
            .Select(m => m.Address.ToString())
            .Order(StringComparer.Ordinal)
            .ToArray();
        var unreachable = _members.Values
            .Where(m => _unreachable.Contains(m.UniqueAddress) && m.HasRole(_dataRole))
            .Select(m => m.Address.ToString())
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (dataNodes.SequenceEqual(_topology.DataNodes) && unreachable.SequenceEqual(_topology.Unreachable)
            && _localShards.AsSpan().SequenceEqual(_topology.LocalShards.ToArray()))
            return;

        _topology = _topology with { Version = _topology.Version + 1, DataNodes = dataNodes, Unreachable = unreachable, LocalShards = _localShards };
        foreach (var client in _clients.Keys)
            client.Tell(_topology);
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }
}
