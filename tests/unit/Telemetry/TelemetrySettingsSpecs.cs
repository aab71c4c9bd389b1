using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.CacheNode.Telemetry;
using DistCacheAkka.Messages.Settings;
using OpenTelemetry.Exporter;

namespace DistCacheAkka.Tests.Unit.Telemetry;

// distcache.telemetry: defaults (Prometheus at /metrics, runtime metrics, no OTLP), overrides, the --otlp-endpoint
// flag, and messages that name the key, the value and the rule.
public class TelemetrySettingsSpecs
{
    [Fact]
    public void Should_serve_prometheus_at_metrics_and_push_no_otlp_by_default()
    {
        var settings = TelemetrySettings.Create(DistCacheConfig.Reference);

        Assert.Equal(new TelemetrySettings("/metrics", true, null, OtlpExportProtocol.Grpc, TimeSpan.FromSeconds(10)), settings);
    }

    [Fact]
    public void Should_read_overrides_and_complete_an_http_endpoint_with_the_metrics_path()
    {
        var settings = TelemetrySettings.Create(DistCacheConfig.WithReference("""
            distcache.telemetry { prometheus-path = "", runtime-metrics = off,
              otlp { endpoint = "http://127.0.0.1:4318", protocol = "http/protobuf", export-interval = 2s } }
            """));

        Assert.Equal(new TelemetrySettings(null, false, new Uri("http://127.0.0.1:4318/v1/metrics"), OtlpExportProtocol.HttpProtobuf, TimeSpan.FromSeconds(2)), settings);
    }

    [Theory]
    [InlineData("otlp.endpoint = \"127.0.0.1:4317\"", "`distcache.telemetry.otlp.endpoint` is \"127.0.0.1:4317\"; it must be empty (no OTLP export) or an http:// or https:// URL")]
    [InlineData("otlp.protocol = udp", "`distcache.telemetry.otlp.protocol` is \"udp\"; it must be \"grpc\" or \"http/protobuf\"")]
    [InlineData("otlp.export-interval = 10ms", "`distcache.telemetry.otlp.export-interval` is 10 ms; it must be at least 100ms")]
    [InlineData("prometheus-path = metrics", "`distcache.telemetry.prometheus-path` is \"metrics\"")]
    [InlineData("prometheus-path = \"/health/metrics\"", "not under /health")]
    public void Should_refuse_bad_values_naming_the_key_and_the_rule(string hocon, string message)
    {
        var error = Assert.Throws<DistCacheConfigurationException>(() =>
            TelemetrySettings.Create(DistCacheConfig.WithReference($"distcache.telemetry.{hocon}")));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Should_take_the_otlp_endpoint_from_the_command_line()
    {
        var run = Assert.IsType<RunNode>(CommandLine.Parse(["--otlp-endpoint", "http://10.1.2.3:4317"]));

        var settings = TelemetrySettings.Create(NodeConfig.Build(run.ConfigFile, "", run.OverridesHocon));

        Assert.Equal(new Uri("http://10.1.2.3:4317"), settings.OtlpEndpoint);
        var error = Assert.IsType<UsageError>(CommandLine.Parse(["--otlp-endpoint", "collector:4317"]));
        Assert.Contains("--otlp-endpoint is 'collector:4317'; it must be an http:// or https:// URL", error.Message);
    }
}
