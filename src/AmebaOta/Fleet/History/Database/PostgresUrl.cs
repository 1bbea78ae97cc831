using Npgsql;

namespace AmebaOta.Fleet.History;

/// <summary>
/// libpq's connection URL, <c>postgres://[user[:password]@][host][:port][/dbname][?param=value&amp;…]</c>, as an Npgsql
/// connection string (Npgsql reads only key=value strings). A host in brackets is IPv6; a percent-encoded host starting
/// with <c>/</c>, or <c>?host=/dir</c>, is a unix socket directory.
/// </summary>
internal static class PostgresUrl
{
    public static NpgsqlConnectionStringBuilder ToBuilder(string url)
    {
        string rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        string query = "";
        int q = rest.IndexOf('?');
        if (q >= 0) { query = rest[(q + 1)..]; rest = rest[..q]; }
        string path = "";
        int slash = rest.IndexOf('/');
        if (slash >= 0) { path = rest[(slash + 1)..]; rest = rest[..slash]; }
        var builder = new NpgsqlConnectionStringBuilder();
        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            string user = rest[..at];
            rest = rest[(at + 1)..];
            int colon = user.IndexOf(':');
            if (colon >= 0) { builder.Password = Decode(user[(colon + 1)..]); user = user[..colon]; }
            if (user.Length > 0) builder.Username = Decode(user);
        }
        string host = rest;
        string? port = null;
        if (host.StartsWith('['))
        {
            int end = host.IndexOf(']');
            if (end < 0) throw Bad(url, "an IPv6 host needs its closing ']'");
            if (end + 1 < host.Length)
            {
                if (host[end + 1] != ':') throw Bad(url, "unexpected text after the IPv6 host");
                port = host[(end + 2)..];
            }
            host = host[1..end];
        }
        else if (host.LastIndexOf(':') is var colon and >= 0)
        {
            port = host[(colon + 1)..];
            host = host[..colon];
        }
        if (host.Length > 0) builder.Host = Decode(host);
        if (port is { Length: > 0 })
        {
            if (!int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int p) || p is < 1 or > 65535)
                throw Bad(url, $"port '{port}' is not a number from 1 to 65535");
            builder.Port = p;
        }
        if (path.Length > 0) builder.Database = Decode(path);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) throw Bad(url, $"'{pair}' is not name=value");
            string name = Decode(pair[..eq]), value = Decode(pair[(eq + 1)..]);
            switch (name)
            {
                case "host": builder.Host = value; break;
                case "port": builder.Port = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "user": builder.Username = value; break;
                case "password": builder.Password = value; break;
                case "dbname": builder.Database = value; break;
                case "sslmode": builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", ""), ignoreCase: true); break;
                case "application_name": builder.ApplicationName = value; break;
                case "connect_timeout": builder.Timeout = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                default: throw Bad(url, $"parameter '{name}' is not supported (host, port, user, password, dbname, sslmode, application_name, connect_timeout)");
            }
        }
        return builder;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text);

    private static FormatException Bad(string url, string why)
    {
        int at = url.LastIndexOf('@');
        int colon = url.IndexOf(':', url.IndexOf("://", StringComparison.Ordinal) + 3);
        string shown = at > 0 && colon > 0 && colon < at ? url[..(colon + 1)] + "***" + url[at..] : url;
        return new FormatException($"'{shown}' is not a PostgreSQL URL: {why}");
    }
}
