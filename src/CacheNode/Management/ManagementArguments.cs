using System.Globalization;
using Akka.Actor;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Management;

/// <summary>Parses the palettes' arguments; every failure names the argument, the value and what is accepted.</summary>
internal static class ManagementArguments
{
    /// <summary>"host:port" (this cluster's protocol and system) or a full "akka.tcp://system@host:port".</summary>
    public static Address Address(string text, Address self)
    {
        text = text.Trim();
        if (text.Contains("://", StringComparison.Ordinal))
        {
            try
            {
                var parsed = Akka.Actor.Address.Parse(text);
                if (parsed.Host is not null && parsed.Port is not null)
                    return parsed;
            }
            catch (UriFormatException)
            {
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon > 0 && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                && port is > 0 and <= 65535 && Uri.CheckHostName(text[..colon]) != UriHostNameType.Unknown)
                return new Address(self.Protocol, self.System, text[..colon], port);
        }

        throw new ManagementArgumentException(
            $"address '{text}' is not host:port (e.g. 127.0.0.1:4053) or {self.Protocol}://{self.System}@host:port");
    }

    /// <summary>strong, quorum or eventual (any case); null when not given.</summary>
    public static ConsistencyLevel? Consistency(string? text)
    {
        if (text is null)
            return null;
        return text.Trim().ToLowerInvariant() switch
        {
            "strong" or "all" => ConsistencyLevel.Strong,
            "quorum" or "majority" => ConsistencyLevel.Quorum,
            "eventual" or "local" => ConsistencyLevel.Eventual,
            _ => throw new ManagementArgumentException($"consistency '{text}' is not one of strong, quorum, eventual"),
        };
    }

    /// <summary>A positive duration: 250ms, 30s, 5m, 2h, 1d, or hh:mm:ss; null when not given.</summary>
    public static TimeSpan? Ttl(string? text)
    {
        if (text is null)
            return null;
        var value = text.Trim().ToLowerInvariant();
        TimeSpan? ttl = null;
        (string Suffix, Func<double, TimeSpan> Make)[] units =
        [
            ("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes),
            ("h", TimeSpan.FromHours), ("d", TimeSpan.FromDays),
        ];
        foreach (var (suffix, make) in units)
        {
            if (value.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(value[..^suffix.Length], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
                && double.IsFinite(amount) && Math.Abs(amount) < 1e9)
            {
                ttl = make(amount);
                break;
            }
        }

        if (ttl is null && value.Contains(':') && TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var clock))
            ttl = clock;
        if (ttl is null)
            throw new ManagementArgumentException($"ttl '{text}' is not a duration; use e.g. 250ms, 30s, 5m, 2h, 1d or hh:mm:ss");
        if (ttl <= TimeSpan.Zero)
            throw new ManagementArgumentException($"ttl '{text}' must be positive (leave it out for no expiry)");
        return ttl;
    }
}
