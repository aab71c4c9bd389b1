using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.CacheNode.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DistCacheAkka.CacheNode.Management;

/// <summary>
/// The node's management endpoint: a small ASP.NET Core server (Kestrel) on <c>distcache.management.host:port</c>
/// serving the pbm-style palettes as JSON (<see cref="ManagementRoutes"/>). It is started before the ActorSystem so a
/// taken port stops the node before it joins the cluster, and stopped after everything else has stopped.
/// When a token is configured, every request except <c>/health/*</c> must carry <c>Authorization: Bearer token</c>.
/// It also serves the node's metrics as Prometheus text (<c>distcache.telemetry.prometheus-path</c>, by default
/// <c>/metrics</c>) through the OpenTelemetry Prometheus exporter's middleware.
/// </summary>
internal sealed class ManagementEndpoint(NodeSettings node, NodeHandle handle, MetricsExport metrics) : IHostedService
{
    private WebApplication? _app;

    /// <summary>The bound address (with the real port when the setting is 0), once started.</summary>
    public Uri? Address { get; private set; }

    /// <summary>How every reply is written: camelCase, indented, enums as kebab-case strings.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // plain quotes in messages; never embedded in HTML
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!node.ManagementEnabled)
            return;

        var ip = node.ManagementHost.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            ? IPAddress.Loopback
            : IPAddress.Parse(node.ManagementHost.Trim('[', ']'));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "DistCacheAkka.Management" });
        builder.Logging.ClearProviders();
        // Configured only by distcache.management.*: no appsettings.json, ASPNETCORE_* or Kestrel sections can add
        // endpoints (a stray ASPNETCORE_URLS must never open a second, unguarded listener).
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // With distcache.tls on, HTTPS with the node's own certificate (the CLI trusts it with --ca).
            kestrel.Listen(ip, node.ManagementPort, listen =>
            {
                if (node.Tls is { } tls)
                    listen.UseHttps(tls.Certificate);
            });
            kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024; // a cache value is at most max-value-size; this is a ceiling
        });
        var app = builder.Build();
        var token = node.ManagementToken.Length == 0 ? null : Encoding.UTF8.GetBytes(node.ManagementToken);
        app.Use(async (context, next) =>
        {
            if (token is not null && !context.Request.Path.StartsWithSegments("/health") && !HasToken(context.Request, token))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await Results.Json(new ErrorReply("this endpoint requires a token: send \"Authorization: Bearer <token>\" (CLI: --token or DISTCACHE_MGMT_TOKEN)"),
                    Json, statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
                return;
            }

            await next(context);
        });
        if (metrics is { Provider: { } provider, PrometheusPath: { } path })
            app.MapPrometheusScrapingEndpoint(path, provider, configureBranchedPipeline: null, optionsName: null);
        ManagementRoutes.Map(app, handle);

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new ManagementBindException(
                $"The management endpoint could not listen on {node.ManagementHost}:{node.ManagementPort} ({e.Message}). " +
                "Nodes sharing a machine need distinct ports: pass --mgmt-port PORT (0 picks a free one), or set " +
                "distcache.management.enabled = off.", e);
        }

        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(bound); // logged by the node once its ActorSystem (and logging) runs
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is null)
            return;
        await _app.StopAsync(cancellationToken);
        await _app.DisposeAsync();
    }

    private static bool HasToken(HttpRequest request, byte[] token)
    {
        var header = request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
            return false;
        var given = Encoding.UTF8.GetBytes(header[Bearer.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, token);
    }
}

/// <summary>The body of every error reply.</summary>
internal sealed record ErrorReply(string Error);
