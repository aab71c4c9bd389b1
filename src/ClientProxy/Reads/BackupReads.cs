using Akka.Actor;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.ClientProxy.Reads;

/// <summary>
/// Reads through failure detection, on the client's side. While the client's topology marks some data node
/// unreachable (failure detected, not yet downed), an Eventual or Quorum read of a shard whose primary is that node
/// is handed to a <see cref="BackupReadActor"/>, which reads the shard's backups directly. This must be the client's
/// doing: messages to an unreachable node go nowhere until the split brain resolver downs it and the shard fails
/// over. Strong reads, writes, and every request while all data nodes are reachable take the ordinary path at no
/// extra cost.
/// </summary>
internal sealed class BackupReads
{
    /// <summary>Sends a replica read to the replicator of a data node (by address), with a reply-to.</summary>
    public delegate void Send(string node, ReadReplicaKeys request, IActorRef replyTo);

    private readonly DataNodeView _view;
    private readonly Func<int, string?> _ownerOf;
    private readonly DistCacheSettings _settings;
    private readonly ShardResolver _resolver;
    private readonly Send _send;

    public BackupReads(DataNodeView view, Func<int, string?> ownerOf, DistCacheSettings settings, ShardResolver resolver, Send send)
    {
        _view = view;
        _ownerOf = ownerOf;
        _settings = settings;
        _resolver = resolver;
        _send = send;
    }

    /// <summary>True while some data node is unreachable.</summary>
    public bool Active => _view.HasUnreachable;

    /// <summary>The data node view the reads use (updated by the ClientProxy from its topology).</summary>
    public DataNodeView View => _view;

    /// <summary>Backup reads over <paramref name="view"/>, with shard owners from <paramref name="ownerOf"/>, sending
    /// replica reads by actor selection from <paramref name="system"/>.</summary>
    public static BackupReads Create(ActorSystem system, DataNodeView view, Func<int, string?> ownerOf, DistCacheSettings settings, ShardResolver resolver) =>
        new(view, ownerOf, settings, resolver,
            (node, request, replyTo) => system.ActorSelection(ActorNames.ReplicatorPath(node)).Tell(request, replyTo));

    /// <summary>Takes <paramref name="command"/> over if it is a read of a shard whose primary is unreachable now.</summary>
    /// <returns>False if the caller should send it the ordinary way.</returns>
    public bool TryRoute(object command, IActorRef sender, IUntypedActorContext context)
    {
        if (!_view.HasUnreachable || ReadOf(command) is not { } read
            || _ownerOf(read.ShardId) is not { } primary || !_view.IsUnreachable(primary))
            return false;
        context.ActorOf(BackupReadActor.Props(read, primary, sender, _view, _send, _settings.OperationTimeout));
        return true;
    }

    private BackupRead? ReadOf(object command) => command switch
    {
        Get get when Servable(get.Consistency) && RequestValidation.CheckKey(get.Key, _settings) is null
            => new BackupRead(get, _resolver.ShardOf(get.Key), [get.Key], get.Consistency),
        NearGet near when RequestValidation.CheckKey(near.Key, _settings) is null // answered as an Eventual Get: not cached
            => new BackupRead(new Get(near.Key), _resolver.ShardOf(near.Key), [near.Key], ConsistencyLevel.Eventual),
        GetMany many when Servable(many.Consistency) && many.ShardId >= 0 && many.ShardId < _resolver.Shards && many.Keys is not null
            => new BackupRead(many, many.ShardId, many.Keys, many.Consistency),
        _ => null,
    };

    private static bool Servable(ConsistencyLevel level) => BackupReadRules.RequiredAnswers(level, 2) is not null;
}
