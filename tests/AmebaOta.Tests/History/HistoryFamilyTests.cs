using System.Net;
using AmebaOta.Fleet;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Rollouts;
using AmebaOta.Families;
using AmebaOta.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AmebaOta.Tests.History;

/// <summary>Schema step 2: the family of every board, upload and rollout board, and a rollout's image per family.</summary>
public class HistoryFamilyTests
{
    private static readonly ImageIdentity Ameba1Image = new(new string('a', 64), 1000, "ota.bin", 0x1234, 2);
    private static readonly ImageIdentity AmebaDImage = new(new string('d', 64), 2000, "OTA_All.bin", 0x4321, 2) { Family = "amebad" };

    [Fact]
    public void A_version_1_database_is_migrated_with_its_rows_kept_and_counted_as_ameba1()
    {
        using var dir = new TempDir();
        string path = dir.File("old.db");
        using (var raw = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            raw.Open();
            using var create = raw.CreateCommand();
            create.CommandText = Version1Schema() + """
                INSERT INTO boards (name, address, port, first_seen, last_seen) VALUES ('Old', '192.0.2.1', 5000, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z');
                INSERT INTO images (sha256, size, file_name, checksum, first_used) VALUES ('aaaa', 10, 'v1.bin', 5, '2025-01-01T00:00:00.000Z');
                INSERT INTO uploads (board, address, port, image_sha256, command, started_at, ended_at, outcome, pid)
                VALUES ('Old', '192.0.2.1', 5000, 'aaaa', 'upload', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:01.000Z', 'rebooted', 1);
                PRAGMA user_version = 1;
                """;
            create.ExecuteNonQuery();
        }

        using var store = HistoryStore.Open(path);
        Assert.Equal(HistoryMigrations.Latest, store.SchemaVersion);
        var board = Assert.Single(store.Boards());
        Assert.Equal("ameba1", board.Family);
        Assert.Equal("ameba1", board.LastTaken!.Family);
        Assert.Equal("ameba1", Assert.Single(store.Uploads()).Image.Family);
        Assert.Equal("ok", store.IntegrityCheck());
    }

    [Fact]
    public void Sightings_and_uploads_record_the_family_and_an_amebad_board_is_found_by_address_on_port_8082()
    {
        using var dir = new TempDir();
        using var store = HistoryStore.Open(dir.File("h.db"));
        var address = IPAddress.Parse("192.0.2.20");
        store.RecordSightings([new BoardSighting("BW16", address, 5000, "BW16.local", "ameba_rtl8721d", DateTimeOffset.UtcNow) { Family = "amebad" }]);
        // By address, on the port it listens on (8082) and not the one it advertises (5000): still the board discovery saw.
        long id = store.BeginUpload(new UploadStart(null, new IPEndPoint(address, 8082), false, AmebaDImage, "upload"));
        store.FinishUpload(id, new UploadEnd(UploadOutcome.Rebooted));
        store.RecordSightings([new BoardSighting("BW16", address, 5000, "BW16.local", "ameba_rtl8721d", DateTimeOffset.UtcNow) { Family = "amebad" }]);

        var board = Assert.Single(store.Boards());
        Assert.Equal("BW16", board.Name);
        Assert.Equal("amebad", board.Family);
        Assert.Equal(5000, board.Port);   // as last seen by mDNS: the upload went to 8082
        var upload = Assert.Single(store.Uploads());
        Assert.Equal("amebad", upload.Family);
        Assert.Equal("amebad", upload.Image.Family);
        Assert.Equal(8082, upload.Port);
        Assert.Equal(("BW16", "amebad"), store.BoardSeenAt(address));
    }

    [Fact]
    public void A_mixed_rollout_keeps_an_image_per_family_and_each_board_s_family()
    {
        using var dir = new TempDir();
        using var store = HistoryStore.Open(dir.File("h.db"));
        var targets = new[]
        {
            new FleetTarget("A1", new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5000), true, BoardFamilies.Ameba1),
            new FleetTarget("D1", new IPEndPoint(IPAddress.Parse("192.0.2.2"), 8082), true, BoardFamilies.Find("amebad")),
            new FleetTarget("X", new IPEndPoint(IPAddress.Parse("192.0.2.3"), 5000)),
        };
        var plan = RolloutPlan.Create(targets, StagePlan.Parse("100%"), [Ameba1Image, AmebaDImage], false, false, _ => null);
        var settings = new RolloutSettings("100%", FailureThreshold.Parse("0"), TimeSpan.Zero, new FleetOptions(), false, false, false);
        var rollouts = new RolloutStore(store);
        long id = rollouts.Create([(Ameba1Image, "/images/ota.bin"), (AmebaDImage, "/images/OTA_All.bin")], settings, plan);

        var loaded = rollouts.Load(id)!;
        Assert.Equal(Ameba1Image.Sha256, loaded.ImageSha256);
        Assert.Equal([new RolloutImage("ameba1", Ameba1Image.Sha256, "/images/ota.bin"), new RolloutImage("amebad", AmebaDImage.Sha256, "/images/OTA_All.bin")],
            loaded.Images);
        Assert.Equal([BoardFamilies.Ameba1, BoardFamilies.Find("amebad"), null], loaded.Plan.Boards.Select(b => b.Target.Family));
    }

    /// <summary>Step 1 as released, so that the test does not follow later edits of the migrations by mistake.</summary>
    private static string Version1Schema() => """
        CREATE TABLE boards (name TEXT PRIMARY KEY COLLATE NOCASE, address TEXT, port INTEGER, host TEXT, board_id TEXT, first_seen TEXT NOT NULL, last_seen TEXT);
        CREATE TABLE images (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, file_name TEXT NOT NULL, checksum INTEGER NOT NULL, sketch_version INTEGER, first_used TEXT NOT NULL);
        CREATE TABLE rollouts (id INTEGER PRIMARY KEY AUTOINCREMENT, image_sha256 TEXT NOT NULL REFERENCES images(sha256), image_path TEXT NOT NULL, stages TEXT NOT NULL,
            max_failures TEXT NOT NULL, pause_seconds REAL NOT NULL, parallel INTEGER NOT NULL, connect_timeout REAL NOT NULL, stall_timeout REAL, retries INTEGER NOT NULL,
            retry_delay REAL NOT NULL, wait_reboot REAL, interface TEXT, force INTEGER NOT NULL, skip_current INTEGER NOT NULL, allow_downgrade INTEGER NOT NULL,
            state TEXT NOT NULL, reason TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, heartbeat_at TEXT, owner_pid INTEGER);
        CREATE TABLE rollout_boards (rollout_id INTEGER NOT NULL REFERENCES rollouts(id), board TEXT NOT NULL COLLATE NOCASE, position INTEGER NOT NULL, stage INTEGER NOT NULL,
            address TEXT NOT NULL, port INTEGER NOT NULL, by_name INTEGER NOT NULL, state TEXT NOT NULL, error TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (rollout_id, board));
        CREATE TABLE uploads (id INTEGER PRIMARY KEY AUTOINCREMENT, board TEXT NOT NULL COLLATE NOCASE REFERENCES boards(name), address TEXT NOT NULL, port INTEGER NOT NULL,
            image_sha256 TEXT NOT NULL REFERENCES images(sha256), rollout_id INTEGER REFERENCES rollouts(id), command TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT,
            outcome TEXT, error TEXT, exit_code INTEGER, attempts INTEGER, reboot_ms REAL, pid INTEGER NOT NULL);

        """;
}
