namespace DistCacheAkka.Messages;

/// <summary>
/// Selects events for a subscriber. <see cref="Kinds"/> null or empty means every kind; <see cref="KeyPrefixes"/>
/// null or empty means every key. Key prefixes apply only to keyed events (KeyInvalidated, ReplicationComplete);
/// membership, failover and rebalancing events always pass the prefix test.
/// </summary>
public sealed record CacheEventFilter(IReadOnlySet<CacheEventKind>? Kinds = null, IReadOnlyList<string>? KeyPrefixes = null)
{
    public static CacheEventFilter Of(params CacheEventKind[] kinds) => new(kinds.ToHashSet());

    /// <summary>The kinds to subscribe to: the filter's, or all of them.</summary>
    public IEnumerable<CacheEventKind> EffectiveKinds =>
        Kinds is { Count: > 0 } ? Kinds : Enum.GetValues<CacheEventKind>();

    public bool Matches(DistributedCacheEvent evt)
    {
        if (Kinds is { Count: > 0 } && !Kinds.Contains(evt.Kind))
            return false;
        if (KeyPrefixes is not { Count: > 0 })
            return true;
        var key = evt switch
        {
            KeyInvalidated k => k.Key,
            ReplicationComplete r => r.Key,
            _ => null,
        };
        return key is null || KeyPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal));
    }
}
