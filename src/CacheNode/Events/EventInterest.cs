using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Events;

/// <summary>
/// Which event kinds have at least one subscriber anywhere in the cluster, as this node's pub-sub mediator last
/// reported. EntryActors read it before building a high-volume event, so publishing costs one volatile read when
/// nobody listens. May lag a subscription by the refresh interval plus pub-sub gossip (about 1-2 s).
/// </summary>
internal sealed class EventInterest
{
    private volatile int _mask;

    public bool Wants(CacheEventKind kind) => (_mask & (1 << (int)kind)) != 0;

    public void Update(IEnumerable<CacheEventKind> kinds) =>
        _mask = kinds.Aggregate(0, (mask, kind) => mask | (1 << (int)kind));

    /// <summary>Every kind: for tests and for nodes that should always publish.</summary>
    public static EventInterest All()
    {
        var interest = new EventInterest();
        interest.Update(Enum.GetValues<CacheEventKind>());
        return interest;
    }
}
