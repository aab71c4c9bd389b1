using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy;

/// <summary>The one place where reply types become results or exceptions.</summary>
internal static class ReplyMapper
{
    public static byte[]? ToValue(IGetResponse reply) => reply switch
    {
        GetSuccess success => success.Value,
        NearGetSuccess success => success.Value,
        NotFound => null,
        GetFailure failure => throw ToException(failure.Error),
        _ => throw new InvalidOperationException($"Unexpected reply {reply.GetType().Name} to Get."),
    };

    public static void EnsureSuccess(ISetResponse reply)
    {
        if (reply is SetFailure failure)
            throw ToException(failure.Error);
    }

    public static bool ToRemoved(IRemoveResponse reply) => reply switch
    {
        RemoveSuccess success => success.Existed,
        RemoveFailure failure => throw ToException(failure.Error),
        _ => throw new InvalidOperationException($"Unexpected reply {reply.GetType().Name} to Remove."),
    };

    public static Exception ToException(CacheError error) => error.Code switch
    {
        CacheErrorCode.ConsistencyNotMet => new ConsistencyNotMetException(error.Message, error.AcksReceived, error.AcksRequired, error.Timeout),
        CacheErrorCode.InvalidRequest => new ArgumentException(error.Message),
        _ => new DistCacheException(error.Code, error.Message),
    };

    public static DistCacheBatchException BatchFailure(
        IReadOnlyDictionary<string, CacheError> failed, IReadOnlyCollection<string> succeeded, IReadOnlyDictionary<string, object?> partial)
    {
        // One exception per distinct error, shared by the keys that failed with it.
        var byError = new Dictionary<CacheError, Exception>();
        var failures = new Dictionary<string, Exception>(failed.Count, StringComparer.Ordinal);
        foreach (var (key, error) in failed)
        {
            if (!byError.TryGetValue(error, out var exception))
                byError[error] = exception = ToException(error);
            failures[key] = exception;
        }

        return new DistCacheBatchException(failures, succeeded, partial);
    }

    public static DistributedCacheStats ToStats(ClusterStatsResult result, int replicationFactor)
    {
        var totalEntries = result.Nodes.Sum(n => n.PrimaryEntries);
        var nodes = result.Nodes.Select(n => new NodeCacheStats(
            n.Node, n.PrimaryEntries, n.BackupEntries, n.Bytes, n.Hits, n.Misses, n.Gets, n.Sets, n.Removes,
            n.Expirations, n.Evictions, n.ShardsOwned, n.ReplicationQueue,
            totalEntries == 0 ? 0 : 100.0 * n.PrimaryEntries / totalEntries)
        {
            MemoryUsedBytes = n.MemoryUsedBytes,
            MemoryLimitBytes = n.MemoryLimitBytes,
        }).ToList();
        return new DistributedCacheStats(
            nodes, result.Unanswered, totalEntries, nodes.Sum(n => n.BackupEntries), nodes.Sum(n => n.Bytes),
            nodes.Sum(n => n.Hits), nodes.Sum(n => n.Misses), nodes.Sum(n => n.Gets), nodes.Sum(n => n.Sets),
            nodes.Sum(n => n.Removes), nodes.Sum(n => n.Expirations), nodes.Sum(n => n.Evictions), nodes.Sum(n => n.ShardsOwned))
        {
            ReplicationFactor = replicationFactor,
        };
    }
}
