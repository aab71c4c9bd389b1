using Akka.Actor;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Actors;

/// <summary>
/// Sends the per-shard parts of one batch through the ClientProxy in parallel and merges the replies per key. A part
/// that fails or does not answer within the timeout fails only its own keys. Stops itself after replying.
/// Replies are correlated by part index, so several chunks of one shard are never confused.
/// </summary>
internal sealed class BatchAggregator : ReceiveActor
{
    private readonly IActorRef _replyTo;
    private readonly IReadOnlyList<IWithShardId> _parts;
    private readonly bool _isGet;
    private readonly Dictionary<string, CacheItem> _found = new(StringComparer.Ordinal);
    private readonly List<string> _missing = [];
    private readonly List<string> _succeeded = [];
    private readonly Dictionary<string, CacheError> _failed = new(StringComparer.Ordinal);
    private readonly TimeSpan _timeout;
    private int _outstanding;

    public BatchAggregator(IActorRef target, IActorRef replyTo, IReadOnlyList<IWithShardId> parts, bool isGet, TimeSpan timeout)
    {
        _replyTo = replyTo;
        _parts = parts;
        _isGet = isGet;
        _outstanding = parts.Count;
        _timeout = timeout;
        Receive<PartReply>(Handle);

        for (var i = 0; i < parts.Count; i++)
        {
            var index = i;
            target.Ask<object>(parts[i], timeout)
                .ContinueWith(t => new PartReply(index, t.IsCompletedSuccessfully ? t.Result : null), TaskContinuationOptions.ExecuteSynchronously)
                .PipeTo(Self);
        }

        if (_outstanding == 0)
            Finish();
    }

    public static Props Props(IActorRef target, IActorRef replyTo, IReadOnlyList<IWithShardId> parts, bool isGet, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new BatchAggregator(target, replyTo, parts, isGet, timeout));

    private void Handle(PartReply reply)
    {
        var part = _parts[reply.Index];
        switch (reply.Reply)
        {
            case GetManySuccess success:
                foreach (var item in success.Found)
                    _found[item.Key] = item;
                _missing.AddRange(success.Missing);
                break;
            case SetManySuccess:
                _succeeded.AddRange(((SetMany)part).Items.Select(i => i.Key));
                break;
            case GetManyFailure failure:
                FailAll(part, failure.Error);
                break;
            case SetManyFailure failure:
                FailAll(part, failure.Error);
                break;
            default:
                FailAll(part, new CacheError(CacheErrorCode.Unavailable,
                    _isGet
                    ? $"Its shard did not answer within {_timeout.TotalMilliseconds:0} ms."
                    : $"Its shard did not answer within {_timeout.TotalMilliseconds:0} ms; the key may or may not have been written."));
                break;
        }

        if (--_outstanding == 0)
            Finish();
    }

    private void FailAll(IWithShardId part, CacheError error)
    {
        IEnumerable<string> keys = part switch
        {
            GetMany get => get.Keys,
            SetMany set => set.Items.Select(i => i.Key),
            _ => [],
        };
        foreach (var key in keys)
            _failed[key] = error;
    }

    private void Finish()
    {
        object result = _isGet
            ? new GetMultipleResult(_found, _missing, _failed)
            : new SetMultipleResult(_succeeded, _failed);
        _replyTo.Tell(result);
        Context.Stop(Self);
    }

    private sealed record PartReply(int Index, object? Reply);
}
