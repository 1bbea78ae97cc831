using System.Net;

namespace AmebaOta.Fleet.History;

/// <summary>
/// The history of boards, images, uploads and rollouts: a SQLite file (one machine; WAL mode, so that several processes share
/// it safely and a killed process leaves it consistent) or a PostgreSQL database (shared by every machine and site agent).
/// Every change is one transaction; the SQL is the same for both engines. Thread-safe. Every failure is a <see cref="HistoryException"/>.
/// </summary>
public sealed partial class HistoryStore : IDisposable
{
    private readonly SqlEngine _engine;
    private readonly int _pid = Environment.ProcessId;

    private HistoryStore(SqlEngine engine) => _engine = engine;

    /// <summary>Where the database is: the file's full path, or the PostgreSQL URL without its password.</summary>
    public string Where => _engine.Location.Display;

    /// <summary>Which database, and how it was given.</summary>
    public DatabaseLocation Location => _engine.Location;

    /// <summary>SQLite or PostgreSQL.</summary>
    public DatabaseEngine Engine => _engine.Location.Engine;

    /// <summary>Opens and migrates the database <paramref name="location"/> names (a SQLite path, or a PostgreSQL URL or connection string).</summary>
    /// <exception cref="HistoryException">It cannot be created, opened or migrated (read-only, not a database, made by a newer version, unreachable, refused).</exception>
    public static HistoryStore Open(string location)
    {
        DatabaseLocation parsed;
        try { parsed = DatabaseLocation.Parse(location); }
        catch (FormatException e) { throw new HistoryException($"history database: {e.Message}", e); }
        return Open(parsed);
    }

    /// <inheritdoc cref="Open(string)"/>
    public static HistoryStore Open(DatabaseLocation location) => new(SqlEngine.Open(location));

    /// <summary>The schema version of the open database.</summary>
    public int SchemaVersion => Guard(() => _engine.SchemaVersion());

    /// <summary>Records boards seen by discovery (one transaction): creates them, or updates address, port, host, TXT board, last seen (and site, family when given).</summary>
    public void RecordSightings(IEnumerable<BoardSighting> sightings) => Write(s =>
    {
        foreach (var b in sightings)
            s.Execute("""
                INSERT INTO boards (name, address, port, host, board_id, first_seen, last_seen, family, site)
                VALUES (@name, @address, @port, @host, @board, @at, @at, @family, @site)
                ON CONFLICT (name) DO UPDATE SET address = excluded.address, port = excluded.port, host = excluded.host,
                    board_id = COALESCE(excluded.board_id, boards.board_id), last_seen = excluded.last_seen,
                    family = excluded.family, site = COALESCE(excluded.site, boards.site)
                """, ("name", b.Name), ("address", b.Address.ToString()), ("port", b.Port), ("host", b.Host), ("board", b.BoardId), ("at", b.SeenAt),
                ("family", b.Family), ("site", b.Site));
    });

    /// <summary>Records the start of an upload (board and image created if new); returns its id for <see cref="FinishUpload(long, UploadEnd)"/>.</summary>
    public long BeginUpload(UploadStart start) => Write(s => BeginUpload(s, start, _pid));

    internal static long BeginUpload(SqlSession s, UploadStart start, int pid)
    {
        var now = DateTimeOffset.UtcNow;
        string board = start.Board ?? NameAt(s, start.EndPoint) ?? start.EndPoint.ToString();
        s.Execute(start.SeenNow
            ? """
              INSERT INTO boards (name, address, port, first_seen, last_seen, family, site) VALUES (@name, @address, @port, @at, @at, @family, @site)
              ON CONFLICT (name) DO UPDATE SET address = excluded.address, port = excluded.port, last_seen = excluded.last_seen, family = excluded.family,
                  site = COALESCE(excluded.site, boards.site)
              """
            : """
              INSERT INTO boards (name, address, port, first_seen, family, site) VALUES (@name, @address, @port, @at, @family, @site)
              ON CONFLICT (name) DO UPDATE SET address = excluded.address, port = excluded.port, family = excluded.family, site = COALESCE(excluded.site, boards.site)
              """,
            ("name", board), ("address", start.EndPoint.Address.ToString()), ("port", start.EndPoint.Port), ("at", now), ("family", start.Family), ("site", start.Site));
        AddImage(s, start.Image, now);
        return s.Long("""
            INSERT INTO uploads (board, address, port, image_sha256, rollout_id, command, started_at, pid, family, site, actor, agent, job_id)
            VALUES (@board, @address, @port, @sha, @rollout, @command, @at, @pid, @family, @site, @actor, @agent, @job) RETURNING id
            """, ("board", board), ("address", start.EndPoint.Address.ToString()), ("port", start.EndPoint.Port), ("sha", start.Image.Sha256),
            ("rollout", start.RolloutId), ("command", start.Command), ("at", now), ("pid", pid), ("family", start.Family), ("site", start.Site),
            ("actor", start.Actor ?? Actor.Current), ("agent", start.Agent), ("job", start.JobId));
    }

    /// <summary>Records how the upload <paramref name="id"/> ended.</summary>
    public void FinishUpload(long id, UploadEnd end) => Write(s => FinishUpload(s, id, end));

    internal static void FinishUpload(SqlSession s, long id, UploadEnd end) => s.Execute("""
        UPDATE uploads SET ended_at = @at, outcome = @outcome, error = @error, exit_code = @exit, attempts = @attempts, reboot_ms = @reboot
        WHERE id = @id
        """, ("id", id), ("at", DateTimeOffset.UtcNow), ("outcome", end.Outcome.Name()), ("error", end.Error), ("exit", end.ExitCode),
        ("attempts", end.Attempts), ("reboot", end.RebootTime is { } r ? Math.Round(r.TotalMilliseconds, 1) : null));

    /// <summary>Records an image (if new) without an upload, e.g. when a rollout is created.</summary>
    public void RecordImage(ImageIdentity image) => Write(s => AddImage(s, image, DateTimeOffset.UtcNow));

    /// <summary>Records an image and keeps its bytes (as sent), so that site agents and <c>--resume</c> on any machine have them.</summary>
    public void StoreImage(ImageIdentity image, ReadOnlyMemory<byte> bytes) => Write(s =>
    {
        AddImage(s, image, DateTimeOffset.UtcNow);
        s.Execute("INSERT INTO image_blobs (sha256, bytes) VALUES (@sha, @bytes) ON CONFLICT (sha256) DO NOTHING", ("sha", image.Sha256), ("bytes", bytes.ToArray()));
    });

    /// <summary>The bytes of the image <paramref name="sha256"/>, when the database keeps them.</summary>
    public byte[]? ImageBytes(string sha256) => Read(s => s.Scalar("SELECT bytes FROM image_blobs WHERE sha256 = @sha", ("sha", sha256)) as byte[]);

    internal static void AddImage(SqlSession s, ImageIdentity image, DateTimeOffset now) => s.Execute("""
        INSERT INTO images (sha256, size, file_name, checksum, sketch_version, first_used) VALUES (@sha, @size, @file, @checksum, @version, @at)
        ON CONFLICT (sha256) DO NOTHING
        """, ("sha", image.Sha256), ("size", image.Size), ("file", image.FileName), ("checksum", (long)image.Checksum),
        ("version", image.SketchVersion is { } v ? (long)v : null), ("at", now));

    /// <summary>The name of the board last known at <paramref name="endPoint"/> (most recently seen first), if any.</summary>
    public string? BoardAt(IPEndPoint endPoint) => Read(s => NameAt(s, endPoint));

    /// <summary>
    /// The board seen at that address and port; failing that, the only board seen at that address when its family listens
    /// on another port than it advertises (an AmebaD board advertises 5000 and takes uploads on 8082).
    /// </summary>
    private static string? NameAt(SqlSession s, IPEndPoint endPoint)
    {
        if (s.Scalar("""
            SELECT name FROM boards WHERE address = @address AND port = @port AND last_seen IS NOT NULL ORDER BY last_seen DESC LIMIT 1
            """, ("address", endPoint.Address.ToString()), ("port", endPoint.Port)) is string exact) return exact;
        var seen = s.Query("SELECT name, family FROM boards WHERE address = @address AND last_seen IS NOT NULL LIMIT 2",
            r => (Name: r.GetString(0), Family: r.GetString(1)), ("address", endPoint.Address.ToString()));
        return seen.Count == 1 && Families.BoardFamilies.Find(seen[0].Family)?.Push is { ListensOnAdvertisedPort: false } push && push.DefaultPort == endPoint.Port
            ? seen[0].Name : null;
    }

    /// <summary>
    /// The board discovery last saw at <paramref name="address"/> (any port: an AmebaD board advertises one port and listens
    /// on another), with its family, if any.
    /// </summary>
    public (string Name, string Family)? BoardSeenAt(IPAddress address) => Read(s =>
    {
        var seen = s.Query("SELECT name, family FROM boards WHERE address = @address AND last_seen IS NOT NULL ORDER BY last_seen DESC LIMIT 1",
            r => (r.GetString(0), r.GetString(1)), ("address", address.ToString()));
        return seen.Count == 0 ? ((string, string)?)null : seen[0];
    });

    /// <summary>Records who did what (shown with the history).</summary>
    public void Audit(string action, string? subject, string? detail = null, string? actor = null) => Write(s => AddAudit(s, action, subject, detail, actor));

    internal static void AddAudit(SqlSession s, string action, string? subject, string? detail, string? actor = null) => s.Execute(
        "INSERT INTO audit (at, actor, action, subject, detail) VALUES (@at, @actor, @action, @subject, @detail)",
        ("at", DateTimeOffset.UtcNow), ("actor", actor ?? Actor.Current), ("action", action), ("subject", subject), ("detail", detail));

    /// <summary>Runs a write in one transaction (SQLite: BEGIN IMMEDIATE, a concurrent writer waits rather than failing later).</summary>
    public T Write<T>(Func<SqlSession, T> write) => Guard(() => _engine.Run(true, write));

    /// <inheritdoc cref="Write{T}(Func{SqlSession, T})"/>
    public void Write(Action<SqlSession> write) => Write<object?>(s => { write(s); return null; });

    /// <summary>Runs a read.</summary>
    public T Read<T>(Func<SqlSession, T> read) => Guard(() => _engine.Run(false, read));

    internal SqlEngine EngineImpl => _engine;

    private T Guard<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (SqlEngine.IsDatabaseError(e))
        {
            throw new HistoryException($"history database '{Where}': {_engine.Describe(e)}", e);
        }
    }

    /// <summary>Closes the database.</summary>
    public void Dispose() => _engine.Dispose();
}
