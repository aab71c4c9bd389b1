using System.Diagnostics.Metrics;
using DistCacheAkka.Messages.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace DistCacheAkka.CacheNode.Telemetry;

/// <summary>
/// The OpenTelemetry SDK pipeline of one node: its own <see cref="NodeTelemetry.Meter"/> (other nodes' meters of the
/// same name in this process are dropped by a view), optionally the runtime's meter, read by the Prometheus exporter
/// that the management endpoint serves and/or pushed over OTLP. With neither configured there is no pipeline and the
/// node's instruments stay disabled (no listener: recording is a flag check).
/// </summary>
internal sealed class MetricsExport : IDisposable
{
    private MetricsExport(MeterProvider? provider, string? prometheusPath)
    {
        Provider = provider;
        PrometheusPath = prometheusPath;
    }

    /// <summary>The SDK's provider, or null when nothing is exported.</summary>
    public MeterProvider? Provider { get; }

    /// <summary>Where the management endpoint serves the Prometheus text, or null.</summary>
    public string? PrometheusPath { get; }

    public static MetricsExport Create(TelemetrySettings settings, NodeTelemetry telemetry, bool managementEnabled, string instanceId)
    {
        var prometheus = managementEnabled ? settings.PrometheusPath : null;
        if (prometheus is null && settings.OtlpEndpoint is null)
            return new MetricsExport(null, null);

        var mine = telemetry.Meter;
        var builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService("distcache-node", serviceInstanceId: instanceId, autoGenerateServiceInstanceId: false))
            .AddMeter(DistCacheTelemetry.NodeMeterName)
            .AddView(instrument => IsOtherNodes(instrument, mine) ? MetricStreamConfiguration.Drop : null);
        if (settings.RuntimeMetrics)
            builder.AddMeter("System.Runtime");
        if (prometheus is not null)
            builder.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0); // every scrape sees now
        if (settings.OtlpEndpoint is { } endpoint)
        {
            builder.AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = endpoint;
                exporter.Protocol = settings.OtlpProtocol;
                exporter.TimeoutMilliseconds = 5_000;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)settings.OtlpExportInterval.TotalMilliseconds;
            });
        }

        return new MetricsExport(builder.Build(), prometheus);
    }

    /// <summary>An instrument of another node's meter in this process (in-process test clusters and the demo's host).</summary>
    private static bool IsOtherNodes(Instrument instrument, Meter mine) =>
        instrument.Meter.Name == DistCacheTelemetry.NodeMeterName && !ReferenceEquals(instrument.Meter, mine);

    public void Dispose() => Provider?.Dispose();
}
