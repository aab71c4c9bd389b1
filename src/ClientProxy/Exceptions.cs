using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy;

/// <summary>A node refused or failed an operation; <see cref="Code"/> says why.</summary>
public class DistCacheException(CacheErrorCode code, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Why the node refused or failed the operation.</summary>
    public CacheErrorCode Code { get; } = code;

    /// <summary>
    /// True when retrying the same request may succeed: <see cref="CacheErrorCode.Unavailable"/> (the shard is
    /// recovering after a failover or rebalance, or refused because too many requests wait for its recovery; the
    /// request was not applied) and <see cref="CacheErrorCode.ConsistencyNotMet"/> (a retry writes the same value
    /// with a newer version). Never <see cref="CacheErrorCode.OutOfMemory"/>: the same write fails again until memory
    /// is freed (keys removed or expired, TTLs set, nodes added, the limit raised).
    /// </summary>
    public bool IsRetriable => Code is CacheErrorCode.Unavailable or CacheErrorCode.ConsistencyNotMet;
}

/// <summary>
/// A write was applied by fewer replicas than its consistency level requires within the node's operation timeout.
/// It is NOT rolled back: the replicas that applied it keep it, and it may still spread. Retrying is safe (a
/// retry writes the same value with a newer version).
/// </summary>
public sealed class ConsistencyNotMetException(string message, int acksReceived, int acksRequired, TimeSpan timeout)
    : DistCacheException(CacheErrorCode.ConsistencyNotMet, message)
{
    /// <summary>Replicas that applied the write (the primary included).</summary>
    public int AcksReceived { get; } = acksReceived;

    /// <summary>Replicas the consistency level required.</summary>
    public int AcksRequired { get; } = acksRequired;

    /// <summary>The node's operation timeout that ran out.</summary>
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>A request got no answer within the client's request timeout. The operation may or may not have been applied.</summary>
public sealed class DistCacheTimeoutException(string message, string? key, int? shardId, TimeSpan timeout) : TimeoutException(message)
{
    /// <summary>The key of a single-key request; null for batches and stats.</summary>
    public string? Key { get; } = key;

    /// <summary>The key's shard; null for batches and stats.</summary>
    public int? ShardId { get; } = shardId;

    /// <summary>The client's request timeout that ran out.</summary>
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>The client could not join the cluster through its seeds, or saw no data node, within the connect timeout.</summary>
public sealed class DistCacheConnectionException(string message, IReadOnlyList<string> seeds) : Exception(message)
{
    /// <summary>The seeds that were tried.</summary>
    public IReadOnlyList<string> Seeds { get; } = seeds;
}

/// <summary>
/// Some keys of a batch failed. <see cref="Failures"/> holds the error of each failed key; the keys in
/// <see cref="SucceededKeys"/> were applied (SetMultiple) or read (GetMultiple, with their values in
/// <see cref="PartialResults"/>): nothing that succeeded is lost.
/// </summary>
public sealed class DistCacheBatchException(
    IReadOnlyDictionary<string, Exception> failures,
    IReadOnlyCollection<string> succeededKeys,
    IReadOnlyDictionary<string, object?> partialResults)
    : AggregateException(Summary(failures, succeededKeys), failures.Values.Distinct())
{
    private readonly string _summary = Summary(failures, succeededKeys);

    /// <summary>How many keys failed (the first ten named), how many succeeded, and the distinct errors (at most three).</summary>
    public override string Message => _summary;

    /// <summary>Each failed key with its error (keys that failed together share one exception).</summary>
    public IReadOnlyDictionary<string, Exception> Failures { get; } = failures;

    /// <summary>Keys that succeeded (for GetMultiple, read with or without a value).</summary>
    public IReadOnlyCollection<string> SucceededKeys { get; } = succeededKeys;

    private static string Summary(IReadOnlyDictionary<string, Exception> failures, IReadOnlyCollection<string> succeeded)
    {
        var errors = failures.Values.Select(e => e.Message).Distinct().ToList();
        return $"{failures.Count} key(s) of the batch failed: {string.Join(", ", failures.Keys.Take(10).Select(RequestValidation.Shorten))}" +
               (failures.Count > 10 ? ", ..." : "") + $"; {succeeded.Count} succeeded. Errors: " +
               string.Join(" | ", errors.Take(3)) + (errors.Count > 3 ? $" | and {errors.Count - 3} more" : "");
    }

    /// <summary>For GetMultiple: the values read for the keys that succeeded (missing keys are absent).</summary>
    public IReadOnlyDictionary<string, object?> PartialResults { get; } = partialResults;
}
