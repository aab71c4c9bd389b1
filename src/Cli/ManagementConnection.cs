using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace DistCacheAkka.Cli;

/// <summary>The outcome of one command: the exit code, the JSON reply (when there is one) and a message.</summary>
internal sealed record Outcome(int ExitCode, JsonElement? Reply, string? Error);

/// <summary>Sends palette commands to one node's management endpoint over HTTP.</summary>
internal sealed class ManagementConnection(string address, string? token, TimeSpan timeout, X509Certificate2? ca = null) : IDisposable
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int UsageError = 2;

    private readonly HttpClient _http = new(Handler(ca))
    {
        BaseAddress = new Uri(address.StartsWith("https://", StringComparison.Ordinal) ? $"{address}/" : $"http://{address}/"),
        Timeout = timeout,
    };

    public string Address { get; } = address;

    /// <summary>"host:port" (an http:// prefix is accepted and dropped), or "https://host:port" for a node whose
    /// endpoint serves HTTPS (distcache.tls on); null when it is not one.</summary>
    public static string? NormalizeAddress(string text)
    {
        var value = text.Trim();
        var https = value.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (https)
            value = value["https://".Length..].TrimEnd('/');
        else if (value.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            value = value["http://".Length..].TrimEnd('/');
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value[(colon + 1)..], out var port) || port is < 1 or > 65535)
            return null;
        if (Uri.CheckHostName(value[..colon].Trim('[', ']')) == UriHostNameType.Unknown)
            return null;
        return https ? "https://" + value : value;
    }

    /// <summary>With a CA (--ca), an HTTPS node's certificate must chain to it alone (a cluster's private CA, as the
    /// nodes' own TLS uses); without one, the system trust store decides.</summary>
    private static HttpClientHandler Handler(X509Certificate2? ca)
    {
        var handler = new HttpClientHandler();
        if (ca is not null)
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null)
                    return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            };
        return handler;
    }

    public async Task<Outcome> RunAsync(Invocation invocation, CancellationToken ct = default)
    {
        var spec = invocation.Spec;
        var query = new List<string>();
        HttpContent? body = null;
        for (var i = 0; i < invocation.Arguments.Count; i++)
        {
            var name = spec.Arguments[i].TrimEnd('?');
            if (name == "value")
                body = new ByteArrayContent(Encoding.UTF8.GetBytes(invocation.Arguments[i]));
            else
                query.Add($"{name}={Uri.EscapeDataString(invocation.Arguments[i])}");
        }

        query.AddRange(invocation.Options.Select(o => $"{o.Key}={Uri.EscapeDataString(o.Value)}"));
        var uri = spec.Path.TrimStart('/') + (query.Count == 0 ? "" : "?" + string.Join("&", query));
        using var request = new HttpRequestMessage(new HttpMethod(spec.Method), uri) { Content = body };
        if (!string.IsNullOrEmpty(token))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            var why = e.InnerException is SocketException s ? s.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused (is a CacheNode running there, with its management endpoint on this port?)",
                SocketError.HostNotFound => "host not found",
                _ => s.Message,
            } : e.Message;
            return new Outcome(Failed, null, $"cannot reach the node at {Address}: {why}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Outcome(Failed, null, $"the node at {Address} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            JsonElement? json = null;
            try
            {
                json = text.Length == 0 ? null : JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
                return new Outcome(Failed, null, $"the node at {Address} answered {(int)response.StatusCode} with a body that is not JSON");
            }

            if (response.IsSuccessStatusCode)
                return new Outcome(Ok, json, null);
            var message = json is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("error", out var e) ? e.GetString() : text;
            return response.StatusCode switch
            {
                HttpStatusCode.BadRequest => new Outcome(UsageError, json, $"{spec.Palette} {spec.Name}: {message}"),
                HttpStatusCode.Unauthorized => new Outcome(Failed, json, $"unauthorized at {Address}: {message}"),
                _ => new Outcome(Failed, json, $"{spec.Palette} {spec.Name} failed at {Address} ({(int)response.StatusCode}): {message}"),
            };
        }
    }

    public void Dispose() => _http.Dispose();
}
