using System.Buffers.Binary;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Flash;

namespace AmebaOta.Families.AmebaPro2.Flash;

/// <summary>One record of the partition table (<c>part_record_t</c>: start, length, type id, valid; 32 bytes).</summary>
public sealed record Pro2PartitionRecord(string Name, uint Start, uint Length, ushort TypeId, bool Valid);

/// <summary>
/// The AmebaPro2 partition table (docs/reference section 11.3; <c>amebapro2_partitiontable*.json</c>,
/// <c>part_fst_info_t</c> and <c>part_record_t</c> in <c>fw_img_tlv.h</c>). Its image sits at 0x1000 in flash: a manifest
/// (label RTL8735B, type IMG_PT), then at 0x2000 the table: 32 bytes of first-stage info (record count and the index of
/// each role), then 32-byte records. The records come in the JSON's order, so FW1's start and length are the words at
/// 0x2060/0x2064 and FW2's at 0x2080/0x2084, which is where the SDK's OTA code reads them. The Arduino board menu
/// "OTA Mode" picks one of two tables: Enable gives FW1 0x60000 and FW2 0x520000, 4 MiB each; Disable (the menu's
/// default) keeps FW2 at 0x520000 with only 64 KiB, so every OTA fails its size check.
/// </summary>
public sealed record Pro2PartitionTable(IReadOnlyList<Pro2PartitionRecord> Records, int Fw1Index, int Fw2Index, int BootIndex)
{
    /// <summary>Where the partition table's manifest sits.</summary>
    public const uint ManifestAddress = 0x1000;
    /// <summary>Where the table itself sits.</summary>
    public const uint TableAddress = 0x2000;
    /// <summary>Bytes of the first-stage info before the records.</summary>
    public const int FirstStageSize = 32;
    /// <summary>Bytes of one record.</summary>
    public const int RecordSize = 32;
    /// <summary>FW1's start and length, as the OTA code reads them.</summary>
    public const uint Fw1RecordAddress = 0x2060;
    /// <summary>FW2's start and length, as the OTA code reads them.</summary>
    public const uint Fw2RecordAddress = 0x2080;
    /// <summary>A firmware slot with OTA Mode: Enable.</summary>
    public const uint SlotLength = 0x400000;
    /// <summary>FW2 with OTA Mode: Disable.</summary>
    public const uint OtaModeOffFw2Length = 0x10000;
    /// <summary>FW1's start.</summary>
    public const uint Fw1Start = 0x60000;
    /// <summary>FW2's start.</summary>
    public const uint Fw2Start = 0x520000;
    /// <summary>The primary boot loader's start.</summary>
    public const uint BootLoaderStart = 0x9000;

    /// <summary>Type ids of the partition roles (<c>PART_TYPE_ID_T</c>).</summary>
    public const ushort BootPrimaryType = 0xD1C5, BootSecondaryType = 0xC9C6, Fw1Type = 0xC1C7, Fw2Type = 0xB9C8,
        IspIqType = 0x89CE, NnModelType = 0x81CF, SysDataType = 0xA9CA, FcsDataType = 0x69D2, MpType = 0xB1C9;

    /// <summary>The table the Arduino build writes for the board menu's OTA Mode (<paramref name="otaMode"/>: Enable).</summary>
    public static Pro2PartitionTable Default(bool otaMode) => new(
    [
        new("boot_p", BootLoaderStart, 0x27000, BootPrimaryType, true),
        new("boot_s", 0x30000, 0x27000, BootSecondaryType, true),
        new("fw1", Fw1Start, SlotLength, Fw1Type, true),
        new("fw2", Fw2Start, otaMode ? SlotLength : OtaModeOffFw2Length, Fw2Type, true),
        new("iq", 0x460000, 0xC0000, IspIqType, true),
        new("nn", otaMode ? 0x920000u : 0x530000u, otaMode ? 0x5E0000u : 0xA90000u, NnModelType, true),
        new("sysdata", 0x7000, 0x1000, SysDataType, true),
        new("fcsdata", 0x8000, 0x1000, FcsDataType, true),
        new("mp", 0xFC0000, 0x1000, MpType, false),
    ], Fw1Index: 2, Fw2Index: 3, BootIndex: 0);

    /// <summary>FW1 as the table gives it.</summary>
    public Pro2Slot Fw1 => new(1, Records[Fw1Index].Start, Records[Fw1Index].Length);
    /// <summary>FW2 as the table gives it.</summary>
    public Pro2Slot Fw2 => new(2, Records[Fw2Index].Start, Records[Fw2Index].Length);
    /// <summary>The slot with index 1 or 2.</summary>
    public Pro2Slot Slot(int index) => index == 1 ? Fw1 : Fw2;
    /// <summary>True when FW2 is as large as FW1 (the board was built with OTA Mode: Enable).</summary>
    public bool OtaMode => Fw2.Length >= Fw1.Length;

    /// <summary>
    /// The slot as the SDK's OTA code reads it: the two words at 0x2060/0x2064 (FW1) or 0x2080/0x2084 (FW2), whatever the
    /// table around them says.
    /// </summary>
    public static Pro2Slot ReadSlot(NorFlash flash, int index)
    {
        uint at = index == 1 ? Fw1RecordAddress : Fw2RecordAddress;
        return new Pro2Slot(index, flash.ReadU32(at), flash.ReadU32(at + 4));
    }

    /// <summary>The table in flash, or null when there is none (no manifest label at 0x1000, or a first-stage info that does not fit).</summary>
    public static Pro2PartitionTable? Read(NorFlash flash)
    {
        if (!Pro2Manifest.HasLabel(flash.Read(ManifestAddress, Pro2Manifest.LabelSize))) return null;
        var first = flash.Read(TableAddress, FirstStageSize);
        int count = first[0];
        if (count is 0 or > 12 || first[3] >= count || first[4] >= count || first[1] >= count) return null;
        var records = new List<Pro2PartitionRecord>(count);
        for (int i = 0; i < count; i++)
        {
            var r = flash.Read(TableAddress + FirstStageSize + (uint)(i * RecordSize), RecordSize);
            records.Add(new Pro2PartitionRecord($"record {i}", BinaryPrimitives.ReadUInt32LittleEndian(r), BinaryPrimitives.ReadUInt32LittleEndian(r.AsSpan(4)),
                BinaryPrimitives.ReadUInt16LittleEndian(r.AsSpan(8)), r[15] == 1));
        }
        return new Pro2PartitionTable(records, Fw1Index: first[3], Fw2Index: first[4], BootIndex: first[1]);
    }

    /// <summary>True when <paramref name="chip"/> holds a partition table (its manifest label, and FW1's type id where the Arduino table puts it).</summary>
    public static bool IsPresent(ReadOnlySpan<byte> chip) =>
        chip.Length > Fw1RecordAddress + 10 && Pro2Manifest.HasLabel(chip[(int)ManifestAddress..])
        && BinaryPrimitives.ReadUInt16LittleEndian(chip[(int)(Fw1RecordAddress + 8)..]) == Fw1Type;

    /// <summary>Writes the table's image (manifest at 0x1000, table at 0x2000) over whatever was there: two sectors erased and programmed.</summary>
    public void Write(NorFlash flash)
    {
        var image = new byte[2 * NorFlash.SectorSize];
        Pro2Manifest.Write(image, Pro2ImageTypes.PartitionTable, Pro2Version.ForLevel(0), 0, (uint)(FirstStageSize + Records.Count * RecordSize + 256));
        var table = image.AsSpan(NorFlash.SectorSize);
        table.Fill(0xFF);
        table[0] = (byte)Records.Count;
        table[1] = (byte)BootIndex;
        table[2] = (byte)IndexOf(BootSecondaryType);
        table[3] = (byte)Fw1Index;
        table[4] = (byte)Fw2Index;
        table[5] = (byte)IndexOf(IspIqType);
        table[6] = (byte)IndexOf(NnModelType);
        table[7] = (byte)IndexOf(MpType);
        table[10] = (byte)IndexOf(FcsDataType);
        BinaryPrimitives.WriteUInt32LittleEndian(table[16..], 0);       // OTA and MP trap pins: off
        BinaryPrimitives.WriteUInt32LittleEndian(table[20..], 256);     // user data length
        for (int i = 0; i < Records.Count; i++)
        {
            var r = table.Slice(FirstStageSize + i * RecordSize, RecordSize);
            BinaryPrimitives.WriteUInt32LittleEndian(r, Records[i].Start);
            BinaryPrimitives.WriteUInt32LittleEndian(r[4..], Records[i].Length);
            BinaryPrimitives.WriteUInt16LittleEndian(r[8..], Records[i].TypeId);
            r[15] = (byte)(Records[i].Valid ? 1 : 0);
        }
        flash.EraseSector(ManifestAddress);
        flash.Program(ManifestAddress, image.AsSpan(0, NorFlash.SectorSize));
        flash.EraseSector(TableAddress);
        flash.Program(TableAddress, table);
    }

    private int IndexOf(ushort typeId)
    {
        for (int i = 0; i < Records.Count; i++) if (Records[i].TypeId == typeId) return i;
        return 0xFF;
    }
}
