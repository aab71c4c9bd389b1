using Akka.Actor;
using Akka.Cluster;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.ClientProxy.Reads;

/// <summary>
/// Reads through failure detection, on the client's side. While the client's cluster view marks some data node
/// unreachable (failure detected, not yet downed), each Eventual or Quorum read is handed to a
/// <see cref="BackupReadActor"/>, which reads the shard's backups directly if the shard's primary is the unreachable
/// node. This must be the client's doing: the region proxy's messages to an unreachable node go nowhere until the
/// split brain resolver downs it and the shard fails over. Strong reads, writes, and every request while all data
/// nodes are reachable take the ordinary path at no extra cost.
/// </summary>
internal sealed class BackupReads
{
    /// <summary>Sends a replica read to the replicator of a data node (by address), with a reply-to.</summary>
    public delegate void Send(string node, ReadReplicaKeys request, IActorRef replyTo);

    private readonly DataNodeView _view;
    private readonly IActorRef _region;
    private readonly DistCacheSettings _settings;
    private readonly ShardResolver _resolver;
    private readonly Send _send;
    private readonly ShardLocations _locations = new();

    public BackupReads(DataNodeView view, IActorRef region, DistCacheSettings settings, ShardResolver resolver, Send send)
    {
        _view = view;
        _region = region;
        _settings = settings;
        _resolver = resolver;
        _send = send;
    }

    /// <summary>True while some data node is unreachable.</summary>
    public bool Active => _view.HasUnreachable;

    /// <summary>
    /// Starts backup reads for the ClientProxy actor owning <paramref name="context"/>: a child keeps the data node
    /// view from cluster events. Outside a cluster (an ActorSystem without the cluster provider) the view stays
    /// empty and every request takes the ordinary path.
    /// </summary>
    public static BackupReads Start(IUntypedActorContext context, IActorRef region, DistCacheSettings settings, ShardResolver resolver)
    {
        var view = new DataNodeView(settings.VirtualNodes, settings.ReplicationFactor);
        var system = context.System;
        if (((ExtendedActorSystem)system).Provider is IClusterActorRefProvider)
            context.ActorOf(DataNodeViewActor.Props(view, settings.DataRole), "data-nodes");
        return new BackupReads(view, region, settings, resolver,
            (node, request, replyTo) => system.ActorSelection(ActorNames.ReplicatorPath(node)).Tell(request, replyTo));
    }

    /// <summary>Takes <paramref name="command"/> over if it is a read that may need the backups now.</summary>
    /// <returns>False if the caller should forward it to the region as usual.</returns>
    public bool TryRoute(object command, IActorRef sender, IUntypedActorContext context)
    {
        if (!_view.HasUnreachable || ReadOf(command) is not { } read)
            return false;
        context.ActorOf(BackupReadActor.Props(read, _region, sender, _view, _locations, _send, _settings.OperationTimeout));
        return true;
    }

    private BackupRead? ReadOf(object command) => command switch
    {
        Get get when Servable(get.Consistency) && RequestValidation.CheckKey(get.Key, _settings) is null
            => new BackupRead(get, _resolver.ShardOf(get.Key), [get.Key], get.Consistency),
        GetMany many when Servable(many.Consistency) && many.ShardId >= 0 && many.ShardId < _resolver.Shards && many.Keys is not null
            => new BackupRead(many, many.ShardId, many.Keys, many.Consistency),
        _ => null,
    };

    private static bool Servable(ConsistencyLevel level) => BackupReadRules.RequiredAnswers(level, 2) is not null;
}

/// <summary>
/// Where the region proxy placed each shard, as learned by backup reads, valid for one version of the data node view
/// (a location costs a round trip, or a wait for the unreachable node's region not to answer).
/// Written and read by the backup read actors on any thread.
/// </summary>
internal sealed class ShardLocations
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, (long ViewVersion, string Node)> _known = new();

    public bool TryGet(int shard, long viewVersion, out string node)
    {
        if (_known.TryGetValue(shard, out var known) && known.ViewVersion == viewVersion)
        {
            node = known.Node;
            return true;
        }

        node = "";
        return false;
    }

    public void Set(int shard, long viewVersion, string node) => _known[shard] = (viewVersion, node);
}
