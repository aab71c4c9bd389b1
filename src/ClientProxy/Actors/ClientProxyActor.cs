using Akka.Actor;
using DistCacheAkka.ClientProxy.Reads;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.ClientProxy.Actors;

/// <summary>
/// The client's entry point into the cluster. Single-key commands (Get, Set, Remove) are coalesced per node (see
/// <c>ClientProxyActor.Coalescing.cs</c>) or, for shards whose node is not known, forwarded to the shard region proxy
/// with the original sender, so replies go straight back to the asker; per-shard batches are always forwarded.
/// GetMultiple / SetMultiple are split by shard and merged by a <see cref="BatchAggregator"/>; stats by a
/// <see cref="StatsAggregator"/>; event subscriptions get an <see cref="EventSubscriberActor"/> each.
/// Akka applications may Ask it directly with the protocol messages.
/// </summary>
public sealed partial class ClientProxyActor : ReceiveActor, IWithTimers
{
    private readonly IActorRef _region;
    private readonly IActorRef _mediator;
    private readonly DistCacheSettings _settings;
    private readonly ShardResolver _resolver;
    private readonly BackupReads _backupReads;

    /// <summary>A proxy over the cache <paramref name="region"/> (a shard region proxy) and the pub-sub <paramref name="mediator"/>,
    /// coalescing single-key requests as <paramref name="coalescing"/> says (the reference defaults when null).</summary>
    public ClientProxyActor(IActorRef region, IActorRef mediator, DistCacheSettings settings, CoalescingSettings? coalescing = null)
    {
        _region = region;
        _mediator = mediator;
        _settings = settings;
        _resolver = new ShardResolver(settings.Shards, settings.HashAlgorithm);
        _backupReads = BackupReads.Start(Context, region, settings, _resolver); // reads while a primary is unreachable
        _coalescing = coalescing ?? CoalescingSettings.Default;
        _coalescer = new RequestCoalescer<IActorRef, IActorRef>(_coalescing.MaxBatch, _coalescing.MaxInFlight);
        _gatewayOfShard = new IActorRef?[settings.Shards];

        // While a data node is unreachable, Eventual and Quorum reads of its shards go to the backups; everything
        // else is coalesced per node (single keys) or forwarded to the region proxy (per-shard batches).
        Receive<IWithCacheKey>(command =>
        {
            if (!_backupReads.TryRoute(command, Sender, Context))
                Handle(command);
        });
        Receive<IWithShardId>(command => Route(command));
        Receive<GetMultiple>(Handle);
        Receive<SetMultiple>(Handle);
        Receive<GetClusterStats>(request => Context.ActorOf(StatsAggregator.Props(Sender, _settings.DataRole, request.Timeout)));
        Receive<SubscribeEvents>(request => Context.ActorOf(EventSubscriberActor.Props(_mediator, request, Sender)));
        ReceiveCoalescing();
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of a <see cref="ClientProxyActor"/>.</summary>
    public static Props Props(IActorRef region, IActorRef mediator, DistCacheSettings settings, CoalescingSettings? coalescing = null) =>
        Akka.Actor.Props.Create(() => new ClientProxyActor(region, mediator, settings, coalescing));

    private void Route(ICacheMessage command)
    {
        if (!_backupReads.TryRoute(command, Sender, Context))
            _region.Forward(command);
    }

    private void Handle(GetMultiple request)
    {
        var parts = BatchPlanner.SplitGets(request.Keys, _resolver, request.Consistency, _settings.MaxBatchBytes);
        var target = _backupReads.Active ? Self : _region; // through Route, so parts may be read from backups
        Context.ActorOf(BatchAggregator.Props(target, Sender, parts, isGet: true, request.Timeout));
    }

    private void Handle(SetMultiple request)
    {
        var parts = BatchPlanner.SplitSets(request.Items, _resolver, request.Expiry, request.Consistency, _settings.MaxBatchBytes);
        Context.ActorOf(BatchAggregator.Props(_region, Sender, parts, isGet: false, request.Timeout));
    }
}
