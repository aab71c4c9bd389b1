using System.Diagnostics.Metrics;

namespace DistCacheAkka.Messages.Telemetry;

/// <summary>
/// The names under which the client and the nodes publish metrics (<see cref="System.Diagnostics.Metrics"/>) and
/// traces (<see cref="System.Diagnostics.ActivitySource"/>), for <c>AddMeter(...)</c> and <c>AddSource(...)</c>, and
/// the attribute names and values both sides use. Every attribute value comes from a small fixed set: no key, value
/// or node address ever becomes an attribute (bounded cardinality).
/// </summary>
public static class DistCacheTelemetry
{
    /// <summary>The client's meter (requests, durations, near cache).</summary>
    public const string ClientMeterName = "DistCacheAkka.Client";

    /// <summary>The client's activity source: one Client activity per operation.</summary>
    public const string ClientActivitySourceName = "DistCacheAkka.Client";

    /// <summary>The data node's meter (requests served, hits, misses, evictions, entries, memory).</summary>
    public const string NodeMeterName = "DistCacheAkka.Node";

    /// <summary><c>db.system.name</c> of our activities (OTel DB semantic conventions).</summary>
    public const string DbSystem = "distcache";

    /// <summary>Attribute: the operation (OTel <c>db.operation.name</c>), one of the <see cref="TelemetryOperation"/> names.</summary>
    public const string OperationAttribute = "db.operation.name";

    /// <summary>Attribute: the consistency level (eventual, quorum, strong).</summary>
    public const string ConsistencyAttribute = "distcache.consistency_level";

    /// <summary>Attribute: how the operation ended, one of the <see cref="TelemetryOutcome"/> names.</summary>
    public const string OutcomeAttribute = "distcache.outcome";

    /// <summary>
    /// Bucket boundaries (seconds) of the duration histograms: a cache answers in a fraction of a millisecond, so
    /// the OTel default (5 ms and up) would put every request in its first bucket.
    /// </summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The histogram advice carrying <see cref="DurationBuckets"/>.</summary>
    public static InstrumentAdvice<double> DurationAdvice { get; } = new() { HistogramBucketBoundaries = DurationBuckets };

    /// <summary>The attribute value of a consistency level; anything outside the enum is "invalid".</summary>
    public static string LevelName(ConsistencyLevel level) => level switch
    {
        ConsistencyLevel.Eventual => "eventual",
        ConsistencyLevel.Quorum => "quorum",
        ConsistencyLevel.Strong => "strong",
        _ => "invalid",
    };

    /// <summary>Index of a level in tables sized <see cref="LevelCount"/> (the last slot is "invalid").</summary>
    public static int LevelIndex(ConsistencyLevel level) => level <= ConsistencyLevel.Strong ? (int)level : 3;

    /// <summary>Slots of a level table: the three levels and "invalid".</summary>
    public const int LevelCount = 4;

    /// <summary>The outcome that a node's error code stands for.</summary>
    public static TelemetryOutcome OutcomeOf(CacheErrorCode code) => code switch
    {
        CacheErrorCode.InvalidRequest => TelemetryOutcome.InvalidRequest,
        CacheErrorCode.WrongShard => TelemetryOutcome.WrongShard,
        CacheErrorCode.ConsistencyNotMet => TelemetryOutcome.ConsistencyNotMet,
        CacheErrorCode.Unavailable => TelemetryOutcome.Unavailable,
        CacheErrorCode.OutOfMemory => TelemetryOutcome.OutOfMemory,
        _ => TelemetryOutcome.Error,
    };

    /// <summary>The attribute value of an outcome (snake_case).</summary>
    public static string Name(TelemetryOutcome outcome) => OutcomeNames[(int)outcome];

    /// <summary>The attribute value of an operation (snake_case).</summary>
    public static string Name(TelemetryOperation operation) => OperationNames[(int)operation];

    private static readonly string[] OutcomeNames =
    [
        "hit", "miss", "ok", "timeout", "cancelled", "unavailable", "consistency_not_met", "out_of_memory",
        "invalid_request", "wrong_shard", "batch_failure", "error",
    ];

    private static readonly string[] OperationNames =
        ["get", "set", "remove", "get_multiple", "set_multiple", "get_stats", "get_many", "set_many", "near_get", "other"];

    /// <summary>How many <see cref="TelemetryOutcome"/> values there are (table sizes).</summary>
    public static int OutcomeCount => OutcomeNames.Length;

    /// <summary>How many <see cref="TelemetryOperation"/> values there are (table sizes).</summary>
    public static int OperationCount => OperationNames.Length;
}

/// <summary>An operation as it appears in <see cref="DistCacheTelemetry.OperationAttribute"/>.</summary>
public enum TelemetryOperation
{
    /// <summary>A single-key read (client) or <see cref="Get"/> (node).</summary>
    Get,

    /// <summary>A single-key write.</summary>
    Set,

    /// <summary>A single-key removal.</summary>
    Remove,

    /// <summary>The client's batch read (split into per-shard <see cref="GetMany"/> on the wire).</summary>
    GetMultiple,

    /// <summary>The client's batch write (split into per-shard <see cref="SetMany"/>).</summary>
    SetMultiple,

    /// <summary>The client's cluster statistics.</summary>
    GetStats,

    /// <summary>A node serving one shard's part of a batch read.</summary>
    GetMany,

    /// <summary>A node serving one shard's part of a batch write.</summary>
    SetMany,

    /// <summary>A node serving a near cache's Eventual read.</summary>
    NearGet,

    /// <summary>Anything else a node was asked through its gateway.</summary>
    Other,
}

/// <summary>How an operation ended, as it appears in <see cref="DistCacheTelemetry.OutcomeAttribute"/>.</summary>
public enum TelemetryOutcome
{
    /// <summary>A read found the key.</summary>
    Hit,

    /// <summary>A read found no live value.</summary>
    Miss,

    /// <summary>A write, removal, batch or stats request succeeded.</summary>
    Ok,

    /// <summary>No answer within the request timeout (the client's, or the node's for the command it forwarded).</summary>
    Timeout,

    /// <summary>The caller cancelled it.</summary>
    Cancelled,

    /// <summary>Refused with <see cref="CacheErrorCode.Unavailable"/> (nothing applied).</summary>
    Unavailable,

    /// <summary><see cref="CacheErrorCode.ConsistencyNotMet"/>.</summary>
    ConsistencyNotMet,

    /// <summary><see cref="CacheErrorCode.OutOfMemory"/>.</summary>
    OutOfMemory,

    /// <summary>Bad input, refused by the client's validation or the node's.</summary>
    InvalidRequest,

    /// <summary><see cref="CacheErrorCode.WrongShard"/>.</summary>
    WrongShard,

    /// <summary>Some keys of a batch failed.</summary>
    BatchFailure,

    /// <summary>Any other failure.</summary>
    Error,
}
