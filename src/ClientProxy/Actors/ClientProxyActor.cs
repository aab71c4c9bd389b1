using Akka.Actor;
using DistCacheAkka.ClientProxy.Reads;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.ClientProxy.Actors;

/// <summary>
/// The client's entry point into the cluster. Single-key commands (Get, Set, Remove) and per-shard batches are
/// forwarded to the shard region proxy with the original sender, so replies go straight back to the asker.
/// GetMultiple / SetMultiple are split by shard and merged by a <see cref="BatchAggregator"/>; stats by a
/// <see cref="StatsAggregator"/>; event subscriptions get an <see cref="EventSubscriberActor"/> each.
/// Akka applications may Ask it directly with the protocol messages.
/// </summary>
public sealed class ClientProxyActor : ReceiveActor
{
    private readonly IActorRef _region;
    private readonly IActorRef _mediator;
    private readonly DistCacheSettings _settings;
    private readonly ShardResolver _resolver;
    private readonly BackupReads _backupReads;

    /// <summary>A proxy over the cache <paramref name="region"/> (a shard region proxy) and the pub-sub <paramref name="mediator"/>.</summary>
    public ClientProxyActor(IActorRef region, IActorRef mediator, DistCacheSettings settings)
    {
        _region = region;
        _mediator = mediator;
        _settings = settings;
        _resolver = new ShardResolver(settings.Shards, settings.HashAlgorithm);
        _backupReads = BackupReads.Start(Context, region, settings, _resolver); // reads while a primary is unreachable

        Receive<IWithCacheKey>(command => Route(command));
        Receive<IWithShardId>(command => Route(command));
        Receive<GetMultiple>(Handle);
        Receive<SetMultiple>(Handle);
        Receive<GetClusterStats>(request => Context.ActorOf(StatsAggregator.Props(Sender, _settings.DataRole, request.Timeout)));
        Receive<SubscribeEvents>(request => Context.ActorOf(EventSubscriberActor.Props(_mediator, request, Sender)));
    }

    /// <summary>Props of a <see cref="ClientProxyActor"/>.</summary>
    public static Props Props(IActorRef region, IActorRef mediator, DistCacheSettings settings) =>
        Akka.Actor.Props.Create(() => new ClientProxyActor(region, mediator, settings));

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
