using System.Diagnostics;
using System.Diagnostics.Metrics;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Telemetry;

namespace DistCacheAkka.CacheNode.Telemetry;

/// <summary>
/// The node's meter, <see cref="DistCacheTelemetry.NodeMeterName"/>, one per node (nodes of an in-process test cluster
/// each have their own, and each node exports only its own). Requests are measured by the gateway as they are
/// answered (<see cref="RecordRequest"/>: a counter and a histogram with a ready tag array, no allocation); everything
/// else is observed from the node's existing counters when an exporter collects, so it costs nothing per operation.
/// </summary>
internal sealed class NodeTelemetry : IDisposable
{
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public NodeTelemetry(NodeMetrics metrics, MemoryBudget budget)
    {
        Meter = new Meter(DistCacheTelemetry.NodeMeterName, typeof(NodeTelemetry).Assembly.GetName().Version?.ToString());
        _requests = Meter.CreateCounter<long>("distcache.node.requests", "{request}",
            "Commands this node's gateway received from clients and answered (or gave up on), by operation, consistency level and outcome.");
        _duration = Meter.CreateHistogram("distcache.node.request.duration", "s",
            "From the gateway receiving a command to its reply (replication and forwarding included; the client's network and queueing not).",
            tags: null, advice: DistCacheTelemetry.DurationAdvice);

        Meter.CreateObservableCounter("distcache.node.hits", () => metrics.LifetimeTotals().Hits, "{hit}",
            "Reads of a live key by this node's primaries (batch reads count each key).");
        Meter.CreateObservableCounter("distcache.node.misses", () => metrics.LifetimeTotals().Misses, "{miss}",
            "Reads of a missing or expired key by this node's primaries.");
        Meter.CreateObservableCounter("distcache.node.evictions", () => metrics.LifetimeTotals().Evictions, "{eviction}",
            "Entries this node's primaries evicted to stay within the memory budget.");
        Meter.CreateObservableCounter("distcache.node.expirations", () => metrics.LifetimeTotals().Expirations, "{expiration}",
            "Entries this node's primaries expired (lazily or by the sweep).");
        Meter.CreateObservableUpDownCounter("distcache.node.entries", () => ObserveEntries(metrics), "{entry}",
            "Live entries held, by replica role (primary: shards this node serves; backup: copies of other nodes' shards).");
        Meter.CreateObservableUpDownCounter("distcache.node.stored.size", () => ObserveStoredBytes(metrics), "By",
            "Key and value bytes of the live entries of this node's primaries.");
        Meter.CreateObservableUpDownCounter("distcache.node.memory.usage", () => budget.UsedBytes, "By",
            "Accounted memory of every slot this node holds (primaries, backups, tombstones, per-entry overhead).");
        Meter.CreateObservableUpDownCounter("distcache.node.memory.limit", () => budget.LimitBytes, "By",
            "The node's memory budget (distcache.memory.limit).");
        Meter.CreateObservableUpDownCounter("distcache.node.shards", () => metrics.ShardsOwned, "{shard}",
            "Shards whose primary runs on this node and has recovered.");
        Meter.CreateObservableUpDownCounter("distcache.node.replication.queue", () => Interlocked.Read(ref metrics.ReplicationQueue), "{write}",
            "Eventual writes waiting in this node's replication buffers.");
    }

    /// <summary>The node's meter (an exporter selects exactly this instance, not another node's of the same name).</summary>
    public Meter Meter { get; }

    /// <summary>Counts an answered command and records how long it took since <paramref name="started"/> (a
    /// <see cref="Stopwatch"/> timestamp). <paramref name="reply"/> null: no reply within the timeout.</summary>
    public void RecordRequest(ICacheMessage command, ICacheMessage? reply, long started)
    {
        if (!_requests.Enabled && !_duration.Enabled)
            return;
        var (operation, level) = Describe(command);
        var tags = TelemetryTags.For(operation, level, OutcomeOf(reply));
        _requests.Add(1, tags);
        _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    internal static (TelemetryOperation, ConsistencyLevel?) Describe(ICacheMessage command) => command switch
    {
        Get get => (TelemetryOperation.Get, get.Consistency),
        NearGet => (TelemetryOperation.NearGet, ConsistencyLevel.Eventual),
        Set set => (TelemetryOperation.Set, set.Consistency),
        Remove remove => (TelemetryOperation.Remove, remove.Consistency),
        GetMany many => (TelemetryOperation.GetMany, many.Consistency),
        SetMany many => (TelemetryOperation.SetMany, many.Consistency),
        _ => (TelemetryOperation.Other, null),
    };

    internal static TelemetryOutcome OutcomeOf(ICacheMessage? reply) => reply switch
    {
        null => TelemetryOutcome.Timeout,
        GetSuccess or NearGetSuccess => TelemetryOutcome.Hit,
        NotFound => TelemetryOutcome.Miss,
        SetSuccess or RemoveSuccess or GetManySuccess or SetManySuccess => TelemetryOutcome.Ok,
        GetFailure f => DistCacheTelemetry.OutcomeOf(f.Error.Code),
        SetFailure f => DistCacheTelemetry.OutcomeOf(f.Error.Code),
        RemoveFailure f => DistCacheTelemetry.OutcomeOf(f.Error.Code),
        GetManyFailure f => DistCacheTelemetry.OutcomeOf(f.Error.Code),
        SetManyFailure f => DistCacheTelemetry.OutcomeOf(f.Error.Code),
        _ => TelemetryOutcome.Ok,
    };

    private static IEnumerable<Measurement<long>> ObserveEntries(NodeMetrics metrics)
    {
        long primary = 0, backup = 0;
        foreach (var c in metrics.Primaries)
            primary += c.Entries;
        foreach (var c in metrics.Backups)
            backup += c.Entries;
        return [new(primary, PrimaryRole), new(backup, BackupRole)];
    }

    private static long ObserveStoredBytes(NodeMetrics metrics)
    {
        long bytes = 0;
        foreach (var c in metrics.Primaries)
            bytes += c.Bytes;
        return bytes;
    }

    private static readonly KeyValuePair<string, object?> PrimaryRole = new("distcache.replica_role", "primary");
    private static readonly KeyValuePair<string, object?> BackupRole = new("distcache.replica_role", "backup");

    public void Dispose() => Meter.Dispose();
}
