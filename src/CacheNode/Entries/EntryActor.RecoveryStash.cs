using Akka.Actor;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Entries;

// The bounded stash of the Recovering phase. Commands wait while the shard's copies arrive, but at most
// distcache.recovery.max-stashed of them: beyond that a command is refused at once with a retriable Unavailable
// error, so a hot shard whose recovery is slow cannot grow the node's memory without bound. Other messages (the
// handoff stop message, local queries) are always kept: dropping a stop message would stall the handoff.
internal sealed partial class EntryActor
{
    private int _stashedCommands;

    private void StashOrRefuse(object message)
    {
        if (!IsCommand(message))
        {
            Stash.Stash();
            return;
        }

        var max = _node.Settings.RecoveryMaxStashed;
        if (_stashedCommands >= max)
        {
            Sender.Tell(Refusal(message, new CacheError(CacheErrorCode.Unavailable,
                $"Shard {_shard} is recovering its entries and already holds {max} waiting requests " +
                "(distcache.recovery.max-stashed). The request was not applied; retry it shortly.")));
            return;
        }

        _stashedCommands++;
        Stash.Stash();
    }

    /// <summary>Answers every stashed command with <paramref name="error"/>; keeps the other stashed messages.</summary>
    private void FailStashedCommands(CacheError error)
    {
        var kept = new List<Envelope>();
        foreach (var envelope in Stash.ClearStash())
        {
            if (IsCommand(envelope.Message))
                envelope.Sender.Tell(Refusal(envelope.Message, error), Self);
            else
                kept.Add(envelope);
        }

        Stash.Prepend(kept);
        _stashedCommands = 0;
    }

    private static bool IsCommand(object message) => message is Get or Set or Remove or GetMany or SetMany or NearGet or Routed;

    private static object Refusal(object command, CacheError error) => command switch
    {
        Routed routed => new RoutedReply(routed.Id, Refusal(routed.Command, error)),
        Get get => new GetFailure(get.Key ?? "", error),
        NearGet get => new GetFailure(get.Key ?? "", error),
        Set set => new SetFailure(set.Key ?? "", error),
        Remove remove => new RemoveFailure(remove.Key ?? "", error),
        GetMany get => new GetManyFailure(get.ShardId, get.Keys ?? [], error),
        SetMany set => new SetManyFailure(set.ShardId, set.Items?.Select(i => i.Key).ToArray() ?? [], error),
        _ => throw new ArgumentException($"{command.GetType().Name} is not a cache command.", nameof(command)),
    };
}
