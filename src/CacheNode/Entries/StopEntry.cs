namespace DistCacheAkka.CacheNode.Entries;

/// <summary>
/// The handoff stop message of the cache region (instead of PoisonPill), so an EntryActor handed off during a
/// rebalance or a graceful leave can finish its work before it stops. Sent locally by the shard, never remoted.
/// </summary>
internal sealed class StopEntry
{
    public static readonly StopEntry Instance = new();

    private StopEntry()
    {
    }
}
