using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DistCacheAkka.CacheNode.Management;

/// <summary>
/// The HTTP shape of the palettes: <c>GET</c> for commands that only read, <c>POST</c> for commands that change
/// something; arguments are query parameters (<c>cache set</c> takes the value as the request body). Every reply is
/// JSON; errors are <c>{"error": "..."}</c> with 400 (bad arguments), 404 (unknown command or member),
/// 503 (node starting, shard unavailable, consistency not met) or 504 (timeout).
/// </summary>
internal static class ManagementRoutes
{
    /// <summary>palette → command → HTTP method; the CLI has the same table (and tests check they agree).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Palettes =
        new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["cluster"] = new Dictionary<string, string>
            {
                ["show"] = "GET", ["status"] = "GET", ["leader"] = "GET",
                ["join"] = "POST", ["leave"] = "POST", ["down"] = "POST", ["down-unreachable"] = "POST",
            },
            ["cluster-sharding"] = new Dictionary<string, string>
            {
                ["regions"] = "GET", ["region-stats"] = "GET", ["shard-stats"] = "GET", ["entity-location"] = "GET",
            },
            ["cache"] = new Dictionary<string, string>
            {
                ["stats"] = "GET", ["get"] = "GET", ["set"] = "POST", ["remove"] = "POST",
                ["ring"] = "GET", ["distribution"] = "GET", ["rebalance-status"] = "GET",
            },
        };

    public static void Map(WebApplication app, NodeHandle handle)
    {
        app.MapGet("/health/live", () => Ok(new { status = "live" }));
        app.MapGet("/health/ready", async () =>
        {
            var readiness = await Readiness.CheckAsync(handle);
            return Results.Json(readiness, ManagementEndpoint.Json,
                statusCode: readiness.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        var cluster = new ClusterCommands(handle);
        var sharding = new ShardingCommands(handle);
        var cache = new CacheCommands(handle);

        Get("/cluster/show", _ => Task.FromResult(cluster.Show()));
        Get("/cluster/status", _ => Task.FromResult(cluster.Status()));
        Get("/cluster/leader", _ => Task.FromResult(cluster.Leader()));
        Post("/cluster/join", r => Task.FromResult(cluster.Join(Required(r, "address"))));
        Post("/cluster/leave", r => Task.FromResult(cluster.Leave(Optional(r, "address"))));
        Post("/cluster/down", r => Task.FromResult(cluster.Down(Required(r, "address"))));
        Post("/cluster/down-unreachable", _ => Task.FromResult(cluster.DownUnreachable()));

        Get("/cluster-sharding/regions", _ => sharding.RegionsAsync());
        Get("/cluster-sharding/region-stats", _ => sharding.RegionStatsAsync());
        Get("/cluster-sharding/shard-stats", _ => sharding.ShardStatsAsync());
        Get("/cluster-sharding/entity-location", r => sharding.EntityLocationAsync(Required(r, "key")));

        Get("/cache/stats", _ => cache.StatsAsync());
        Get("/cache/get", r => cache.GetAsync(Required(r, "key"), Optional(r, "consistency")));
        Post("/cache/set", async r => await cache.SetAsync(Required(r, "key"), await BodyAsync(r), Optional(r, "ttl"), Optional(r, "consistency")));
        Post("/cache/remove", r => cache.RemoveAsync(Required(r, "key"), Optional(r, "consistency")));
        Get("/cache/ring", _ => Task.FromResult(cache.Ring()));
        Get("/cache/distribution", _ => cache.DistributionAsync());
        Get("/cache/rebalance-status", _ => sharding.RebalanceStatusAsync());

        app.MapFallback((HttpRequest request) =>
        {
            var path = request.Path.Value?.Trim('/') ?? "";
            var known = Palettes.SelectMany(p => p.Value.Keys.Select(c => $"{p.Key}/{c}"));
            return Results.Json(new ErrorReply($"unknown command '{path}'; the commands are: {string.Join(", ", known)}"),
                ManagementEndpoint.Json, statusCode: StatusCodes.Status404NotFound);
        });

        void Get(string path, Func<HttpRequest, Task<object>> command) =>
            app.MapGet(path, (HttpRequest request) => RunAsync(handle, request, command));

        void Post(string path, Func<HttpRequest, Task<object>> command) =>
            app.MapPost(path, (HttpRequest request) => RunAsync(handle, request, command));
    }

    private static async Task<IResult> RunAsync(NodeHandle handle, HttpRequest request, Func<HttpRequest, Task<object>> command)
    {
        if (!handle.IsStarted)
            return Error(StatusCodes.Status503ServiceUnavailable, "the node is still starting; try again in a moment");
        try
        {
            return Ok(await command(request));
        }
        catch (ManagementArgumentException e)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }
        catch (ManagementNotFoundException e)
        {
            return Error(StatusCodes.Status404NotFound, e.Message);
        }
        catch (ArgumentException e)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message); // the client's own validation: key, value, TTL
        }
        catch (DistCacheException e) when (e.Code is CacheErrorCode.InvalidRequest or CacheErrorCode.WrongShard)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }
        catch (DistCacheException e) when (e.Code is CacheErrorCode.OutOfMemory)
        {
            return Error(StatusCodes.Status507InsufficientStorage, e.Message); // the node's memory budget, noeviction
        }
        catch (DistCacheException e)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, e.Message);
        }
        catch (Exception e) when (e is TimeoutException or Akka.Actor.AskTimeoutException or TaskCanceledException)
        {
            return Error(StatusCodes.Status504GatewayTimeout, e.Message);
        }
    }

    private static IResult Ok(object value) => Results.Json(value, ManagementEndpoint.Json);

    private static IResult Error(int status, string message) =>
        Results.Json(new ErrorReply(message), ManagementEndpoint.Json, statusCode: status);

    private static string Required(HttpRequest request, string name)
    {
        var value = request.Query[name].ToString();
        if (string.IsNullOrEmpty(value))
            throw new ManagementArgumentException($"missing argument '{name}'");
        return value;
    }

    private static string? Optional(HttpRequest request, string name)
    {
        var value = request.Query[name].ToString();
        return value.Length == 0 ? null : value;
    }

    private static async Task<byte[]> BodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}

/// <summary>An argument is malformed or missing: 400 with this message.</summary>
internal sealed class ManagementArgumentException(string message) : Exception(message);

/// <summary>The command names something that does not exist (a member, a region): 404 with this message.</summary>
internal sealed class ManagementNotFoundException(string message) : Exception(message);
