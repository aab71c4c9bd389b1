using Akka.Actor;
using DistCacheAkka.ClientProxy.NearCache;
using DistCacheAkka.ClientProxy.Reads;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.ClientProxy.Actors;

/// <summary>
/// The client's entry point into the cluster (data path v2: the client is <b>not</b> a cluster member). It registers
/// with every data node's client registry, merges their topology reports into a <see cref="ClientTopology"/>
/// (see <c>ClientProxyActor.Topology.cs</c>), and sends every command to the request gateway of the node that hosts
/// its shard, coalesced per node (see <c>ClientProxyActor.Coalescing.cs</c>); a shard with no known or reachable
/// owner goes to any reachable gateway, whose shard region forwards it.
/// GetMultiple / SetMultiple are split by shard and merged by a <see cref="BatchAggregator"/> (the parts come back
/// through this actor, so they are routed like single commands); stats by a <see cref="StatsAggregator"/>; event
/// subscriptions get an <see cref="EventSubscriberActor"/> each, relayed by one node.
/// Akka applications may Ask it directly with the protocol messages.
/// </summary>
public sealed partial class ClientProxyActor : ReceiveActor, IWithTimers
{
    private readonly DistCacheSettings _settings;
    private readonly ShardResolver _resolver;
    private readonly BackupReads _backupReads;
    private readonly DataNodeView _view;
    private NearCache.NearCache? _nearCache;
    private IActorRef? _nearCacheSubscriber;

    /// <summary>A proxy that first contacts the data nodes at <paramref name="contacts"/> (any of them will do: each
    /// reports the others), coalescing requests as <paramref name="coalescing"/> says (the reference defaults when null).</summary>
    public ClientProxyActor(IReadOnlyList<Address> contacts, DistCacheSettings settings, CoalescingSettings? coalescing = null)
    {
        _contacts = contacts;
        _settings = settings;
        _resolver = new ShardResolver(settings.Shards, settings.HashAlgorithm);
        _topology = new ClientTopology(settings.Shards);
        _view = new DataNodeView(settings.VirtualNodes, settings.ReplicationFactor);
        _backupReads = BackupReads.Create(Context.System, _view, _topology.OwnerOf, settings, _resolver); // reads while a primary is unreachable
        _coalescing = coalescing ?? CoalescingSettings.Default;
        _coalescer = new RequestCoalescer<IActorRef, IActorRef>(_coalescing.MaxBatch, _coalescing.MaxInFlight);
        _gatewayOfShard = new IActorRef?[settings.Shards];

        // While a data node is unreachable, Eventual and Quorum reads of its shards go to the backups; everything
        // else is coalesced per node.
        Receive<IWithCacheKey>(command => Route(command, command.Key is null ? -1 : _resolver.ShardOf(command.Key)));
        Receive<IWithShardId>(command => Route(command, command.ShardId));
        Receive<GetMultiple>(Handle);
        Receive<SetMultiple>(Handle);
        Receive<GetClusterStats>(request => Context.ActorOf(StatsAggregator.Props(Sender, _topology.DataNodes, request.Timeout)));
        Receive<SubscribeEvents>(request => Context.ActorOf(EventSubscriberActor.Props(request, Sender, _view)));
        Receive<AttachNearCache>(attach =>
        {
            _nearCache = attach.NearCache;
            _nearCacheSubscriber = Context.ActorOf(NearCacheSubscriberActor.Props(attach.NearCache), "near-cache");
            foreach (var contact in _contacts)
                Register(Context.ActorSelection(ActorNames.ClientRegistryPath(contact)));
            foreach (var node in _topology.DataNodes)
                Register(node);
        });
        ReceiveTopology();
        ReceiveCoalescing();
        ReceiveDataPlane();
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of a <see cref="ClientProxyActor"/>.</summary>
    public static Props Props(IReadOnlyList<Address> contacts, DistCacheSettings settings, CoalescingSettings? coalescing = null) =>
        Akka.Actor.Props.Create(() => new ClientProxyActor(contacts, settings, coalescing));

    /// <summary>Keeps <paramref name="NearCache"/> coherent: subscribes it to the feed of every node registered with,
    /// at once and on every renewal. Sent by <see cref="DistCacheClient.ConnectAsync"/> right after creating the proxy
    /// (the near cache's type is internal, so it cannot be a constructor argument: Akka creates actors through
    /// public constructors).</summary>
    internal sealed record AttachNearCache(NearCache.NearCache NearCache);

    private void Route(ICacheMessage command, int shard)
    {
        if (_backupReads.TryRoute(command, Sender, Context))
            return;
        if ((uint)shard >= (uint)_gatewayOfShard.Length)
            shard = 0; // malformed (no key, no such shard): any node's EntryActor answers with the precise validation error

        Coalesce(command, shard);
    }

    private void Handle(GetMultiple request)
    {
        var parts = BatchPlanner.SplitGets(request.Keys, _resolver, request.Consistency, _settings.MaxBatchBytes);
        Context.ActorOf(BatchAggregator.Props(Self, Sender, parts, isGet: true, request.Timeout));
    }

    private void Handle(SetMultiple request)
    {
        var parts = BatchPlanner.SplitSets(request.Items, _resolver, request.Expiry, request.Consistency, _settings.MaxBatchBytes);
        Context.ActorOf(BatchAggregator.Props(Self, Sender, parts, isGet: false, request.Timeout));
    }

    /// <summary>The failure reply to <paramref name="command"/> when no data node can take it.</summary>
    private object NoNode(ICacheMessage command)
    {
        var error = new CacheError(CacheErrorCode.Unavailable,
            $"No data node is reachable from this client: {_topology.DataNodes.Count} data nodes known " +
            $"({string.Join(", ", _topology.DataNodes)}), {_topology.Unreachable.Count} of them unreachable, " +
            $"{_gateways.Count} gateways resolved. Retry once the cluster is back.");
        return command switch
        {
            Get get => new GetFailure(get.Key, error),
            NearGet get => new GetFailure(get.Key, error),
            Set set => new SetFailure(set.Key, error),
            Remove remove => new RemoveFailure(remove.Key, error),
            GetMany many => new GetManyFailure(many.ShardId, many.Keys, error),
            SetMany many => new SetManyFailure(many.ShardId, many.Items.Select(i => i.Key).ToList(), error),
            _ => new Status.Failure(new InvalidOperationException(error.Message)),
        };
    }
}
