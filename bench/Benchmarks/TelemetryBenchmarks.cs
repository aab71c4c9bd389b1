using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.CacheNode.Telemetry;
using DistCacheAkka.ClientProxy.Telemetry;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Settings;
using DistCacheAkka.Messages.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DistCacheAkka.Benchmarks;

/// <summary>
/// What telemetry adds to one request, measured on the real code: the node's <see cref="NodeTelemetry.RecordRequest"/>
/// (a counter and a histogram, as the gateway calls it per command) and the client's operation scope
/// (<see cref="ClientTelemetry.Start"/> + Complete), each with nobody listening and with the OpenTelemetry SDK
/// aggregating (the node's own export pipeline with its Prometheus reader; for the client, a MeterProvider and,
/// in the last row, a TracerProvider sampling every activity).
/// </summary>
[MemoryDiagnoser, MedianColumn]
public class TelemetryBenchmarks
{
    private static readonly Get Command = new("user:42", ConsistencyLevel.Quorum);
    private static readonly ICacheMessage Reply = new NotFound("user:42");
    private NodeTelemetry _node = null!;
    private MetricsExport? _export;
    private MeterProvider? _clientMetrics;
    private TracerProvider? _clientTraces;

    [GlobalSetup(Targets = [nameof(Node_NoListener), nameof(Client_NoListener)])]
    public void SetupQuiet() => _node = NewNode();

    [GlobalSetup(Target = nameof(Node_OtelSdk))]
    public void SetupNodeSdk()
    {
        _node = NewNode();
        _export = MetricsExport.Create(TelemetrySettings.Create(DistCacheConfig.Reference), _node, managementEnabled: true, "bench");
    }

    [GlobalSetup(Target = nameof(Client_OtelMetrics))]
    public void SetupClientMetrics()
    {
        _node = NewNode();
        // The SDK listens only when some reader is attached: a periodic one whose exporter drops everything.
        _clientMetrics = Sdk.CreateMeterProviderBuilder().AddMeter(DistCacheTelemetry.ClientMeterName)
            .AddReader(new PeriodicExportingMetricReader(new NullExporter(), 60_000)).Build();
        if (!ClientTelemetry.Requests.Enabled || !ClientTelemetry.Duration.Enabled)
            throw new InvalidOperationException("the SDK does not listen to the client's instruments");
    }

    [GlobalSetup(Target = nameof(Client_OtelMetricsAndTraces))]
    public void SetupClientTraces()
    {
        SetupClientMetrics();
        _clientTraces = Sdk.CreateTracerProviderBuilder().AddSource(DistCacheTelemetry.ClientActivitySourceName).SetSampler(new AlwaysOnSampler()).Build();
        if (!ClientTelemetry.Source.HasListeners())
            throw new InvalidOperationException("the SDK does not listen to the client's activities");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _clientTraces?.Dispose();
        _clientMetrics?.Dispose();
        _export?.Dispose();
        _node.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void Node_NoListener() => _node.RecordRequest(Command, Reply, Stopwatch.GetTimestamp());

    [Benchmark]
    public void Node_OtelSdk() => _node.RecordRequest(Command, Reply, Stopwatch.GetTimestamp());

    [Benchmark]
    public void Client_NoListener() => ClientTelemetry.Start(TelemetryOperation.Get, ConsistencyLevel.Quorum).Complete(TelemetryOutcome.Miss);

    [Benchmark]
    public void Client_OtelMetrics() => ClientTelemetry.Start(TelemetryOperation.Get, ConsistencyLevel.Quorum).Complete(TelemetryOutcome.Miss);

    [Benchmark]
    public void Client_OtelMetricsAndTraces() => ClientTelemetry.Start(TelemetryOperation.Get, ConsistencyLevel.Quorum).Complete(TelemetryOutcome.Miss);

    private static NodeTelemetry NewNode() => new(new NodeMetrics(), new MemoryBudget(1 << 20, EvictionPolicy.Lru, 5, TimeSpan.FromSeconds(1)));

    private sealed class NullExporter : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }
}
