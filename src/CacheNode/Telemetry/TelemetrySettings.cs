using Akka.Configuration;
using DistCacheAkka.Messages.Settings;
using OpenTelemetry.Exporter;

namespace DistCacheAkka.CacheNode.Telemetry;

/// <summary>How the node exports its metrics: the <c>distcache.telemetry</c> section, validated once at startup.</summary>
/// <param name="PrometheusPath">Path of the Prometheus text on the management endpoint; null: none.</param>
/// <param name="RuntimeMetrics">Whether the runtime's "System.Runtime" meter is exported too.</param>
/// <param name="OtlpEndpoint">The OTLP collector; null: no OTLP export.</param>
/// <param name="OtlpProtocol">gRPC or HTTP/protobuf.</param>
/// <param name="OtlpExportInterval">How often metrics are pushed.</param>
internal sealed record TelemetrySettings(
    string? PrometheusPath,
    bool RuntimeMetrics,
    Uri? OtlpEndpoint,
    OtlpExportProtocol OtlpProtocol,
    TimeSpan OtlpExportInterval)
{
    public static TelemetrySettings Create(Config config)
    {
        var c = DistCacheConfig.WithReferenceFallback(config).GetConfig("distcache.telemetry");
        var path = c.GetString("prometheus-path")?.Trim() ?? "";
        if (path.Length > 0 && (!path.StartsWith('/') || path.Length == 1 || path.StartsWith("/health", StringComparison.OrdinalIgnoreCase)
                                || path.Contains('?') || path.Contains(' ')))
            throw new DistCacheConfigurationException(
                $"`distcache.telemetry.prometheus-path` is \"{path}\"; it must be empty (no Prometheus endpoint) or a path such as /metrics " +
                "(starting with /, not / itself, not under /health, no query).");

        var protocolText = c.GetString("otlp.protocol")?.Trim().ToLowerInvariant() ?? "grpc";
        var protocol = protocolText switch
        {
            "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            _ => throw new DistCacheConfigurationException(
                $"`distcache.telemetry.otlp.protocol` is \"{protocolText}\"; it must be \"grpc\" or \"http/protobuf\"."),
        };

        var interval = c.GetTimeSpan("otlp.export-interval", TimeSpan.FromSeconds(10));
        if (interval < TimeSpan.FromMilliseconds(100))
            throw new DistCacheConfigurationException(
                $"`distcache.telemetry.otlp.export-interval` is {interval.TotalMilliseconds:0} ms; it must be at least 100ms.");

        return new TelemetrySettings(
            path.Length == 0 ? null : path,
            c.GetBoolean("runtime-metrics", true),
            OtlpEndpointOf(c.GetString("otlp.endpoint")?.Trim() ?? "", protocol),
            protocol,
            interval);
    }

    /// <summary>The collector's URL; for HTTP/protobuf a URL without a path gets the standard /v1/metrics (the
    /// exporter posts to exactly the URL it is given).</summary>
    private static Uri? OtlpEndpointOf(string text, OtlpExportProtocol protocol)
    {
        if (text.Length == 0)
            return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new DistCacheConfigurationException(
                $"`distcache.telemetry.otlp.endpoint` is \"{text}\"; it must be empty (no OTLP export) or an http:// or https:// URL such as http://127.0.0.1:4317.");
        return protocol == OtlpExportProtocol.HttpProtobuf && uri.AbsolutePath == "/" ? new Uri(uri, "v1/metrics") : uri;
    }
}
