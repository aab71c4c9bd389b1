using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Telemetry;

namespace DistCacheAkka.ClientProxy.Telemetry;

/// <summary>
/// The client's instruments and activity source (one per process, shared by every client, as HttpClient's are): see
/// the README, "Telemetry". Nothing here costs more than a flag check while no listener is attached.
/// </summary>
internal static class ClientTelemetry
{
    private static readonly string? Version = typeof(ClientTelemetry).Assembly.GetName().Version?.ToString();

    public static readonly Meter Meter = new(DistCacheTelemetry.ClientMeterName, Version);

    public static readonly ActivitySource Source = new(DistCacheTelemetry.ClientActivitySourceName, Version);

    public static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "distcache.client.requests", "{request}", "Operations the application called, by operation, consistency level and outcome.");

    public static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "distcache.client.request.duration", "s", "How long an operation took as the application saw it (retries included).",
        tags: null, advice: DistCacheTelemetry.DurationAdvice);

    public static readonly Counter<long> NearHits = Meter.CreateCounter<long>(
        "distcache.client.near_cache.hits", "{hit}", "Eventual reads answered from the near cache.");

    public static readonly Counter<long> NearMisses = Meter.CreateCounter<long>(
        "distcache.client.near_cache.misses", "{miss}", "Eventual reads that the near cache sent to the cluster.");

    public static readonly Counter<long> NearInvalidations = Meter.CreateCounter<long>(
        "distcache.client.near_cache.invalidations", "{invalidation}",
        "Near-cache entries dropped because the cluster changed them or their shard's stream could no longer be followed.");

    /// <summary>The near caches of live clients, for the entries gauge (weak: a client never disposed is not kept alive).</summary>
    private static readonly ConditionalWeakTable<NearCache.NearCache, object?> NearCaches = new();

    static ClientTelemetry() =>
        Meter.CreateObservableUpDownCounter("distcache.client.near_cache.entries", ObserveNearEntries, "{entry}",
            "Entries held by the near caches of this process's clients.");

    public static void Track(NearCache.NearCache near) => NearCaches.AddOrUpdate(near, null);

    public static void Untrack(NearCache.NearCache near) => NearCaches.Remove(near);

    private static long ObserveNearEntries()
    {
        long entries = 0;
        foreach (var (near, _) in NearCaches)
            entries += near.Count;
        return entries;
    }

    /// <summary>Starts measuring one operation: its clock, and its activity when someone listens.</summary>
    public static OperationScope Start(TelemetryOperation operation, ConsistencyLevel? level, int batchSize = -1)
    {
        var activity = Source.HasListeners() ? Source.StartActivity(SpanNames[(int)operation], ActivityKind.Client) : null;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", DistCacheTelemetry.DbSystem);
            activity.SetTag(DistCacheTelemetry.OperationAttribute, DistCacheTelemetry.Name(operation));
            if (level is { } l)
                activity.SetTag(DistCacheTelemetry.ConsistencyAttribute, DistCacheTelemetry.LevelName(l));
            if (batchSize >= 0)
                activity.SetTag("db.operation.batch.size", batchSize);
        }

        return new OperationScope(operation, level, Stopwatch.GetTimestamp(), activity);
    }

    /// <summary>The outcome an exception stands for (keys and messages never become attributes).</summary>
    public static TelemetryOutcome OutcomeOf(Exception error) => error switch
    {
        DistCacheTimeoutException or TimeoutException => TelemetryOutcome.Timeout,
        OperationCanceledException => TelemetryOutcome.Cancelled,
        DistCacheBatchException => TelemetryOutcome.BatchFailure,
        DistCacheException e => DistCacheTelemetry.OutcomeOf(e.Code),
        ArgumentException => TelemetryOutcome.InvalidRequest,
        _ => TelemetryOutcome.Error,
    };

    private static readonly string[] SpanNames = Enumerable.Range(0, DistCacheTelemetry.OperationCount)
        .Select(op => $"{DistCacheTelemetry.DbSystem} {DistCacheTelemetry.Name((TelemetryOperation)op)}").ToArray();
}

/// <summary>One operation being measured; ends with <see cref="Complete"/> or <see cref="Fail"/>, exactly once.</summary>
internal readonly struct OperationScope(TelemetryOperation operation, ConsistencyLevel? level, long started, Activity? activity)
{
    public void Complete(TelemetryOutcome outcome) => End(outcome, failed: false);

    /// <summary>Records the failure's kind; the exception itself (its message names the key) is not recorded.</summary>
    public void Fail(Exception error) => End(ClientTelemetry.OutcomeOf(error), failed: true);

    private void End(TelemetryOutcome outcome, bool failed)
    {
        var tags = TelemetryTags.For(operation, level, outcome);
        ClientTelemetry.Requests.Add(1, tags);
        if (ClientTelemetry.Duration.Enabled)
            ClientTelemetry.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        if (activity is null)
            return;
        var name = DistCacheTelemetry.Name(outcome);
        activity.SetTag(DistCacheTelemetry.OutcomeAttribute, name);
        if (failed)
        {
            activity.SetTag("error.type", name);
            activity.SetStatus(ActivityStatusCode.Error, name);
        }

        activity.Dispose();
    }
}
