using AmebaOta.Boards;
using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Images;

namespace AmebaOta.Families.AmebaPro2.Ota;

/// <summary>
/// <c>ota_flash_NOR</c> (<c>ota_8735b.c</c>), one call per 4 KiB block (docs/reference section 11.3). On the first block
/// it reads the target slot's start and length from the partition table words (0x2060/0x2064 for FW1, 0x2080/0x2084 for
/// FW2), prints them, refuses an image whose blocks exceed the slot, keeps the 8-byte label aside and writes 0xFF in its
/// place. Every block: erase the sector, program the block, read it back and add its bytes to the sum (the kept label
/// instead of the 0xFF). On the last block it compares the sum with the checksum the download took from the file's last
/// 4 bytes, and only on a match writes the label: until then the slot has no label and never boots. The other slot is
/// not touched.
/// </summary>
public sealed class Pro2OtaFlashWriter(PullBoard board, int targetSlot)
{
    private const string Function = "ota_flash_NOR";
    private uint _address;
    private uint _length;
    private uint _sum;
    private readonly byte[] _label = new byte[Pro2Manifest.LabelSize];

    /// <summary>One block: 0, or -1 when the image does not fit, the checksum is wrong (last block) or a write fails.</summary>
    public async Task<int> WriteBlockAsync(int totalBlocks, int block, byte[] buffer, int dataLength, uint attachedChecksum, CancellationToken cancellationToken)
    {
        if (block == 0)
        {
            var slot = Pro2PartitionTable.ReadSlot(board.Flash, targetSlot);
            (_address, _length) = (slot.Start, slot.Length);
            board.Printf($"\n\r[{Function}] target_fw_addr=0x{_address:x}, target_fw_len=0x{_length:x}\n\r");
            if ((long)totalBlocks * Pro2Image.BlockSize > _length) return -1;
            buffer.AsSpan(0, Pro2Manifest.LabelSize).CopyTo(_label);
            buffer.AsSpan(0, Pro2Manifest.LabelSize).Fill(0xFF);
            _sum = 0;
        }

        uint at = unchecked(_address + (uint)(block * Pro2Image.BlockSize));
        board.Flash.EraseSector(at);
        await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
        if (dataLength > 0)
        {
            board.Flash.Program(at, buffer.AsSpan(0, dataLength));
            await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
            board.Flash.Read(at, buffer.AsSpan(0, dataLength));
            await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        var written = buffer.AsSpan(0, dataLength);
        if (block == 0)
        {
            int kept = Math.Min(Pro2Manifest.LabelSize, dataLength);   // the label's bytes count, not the 0xFF written in their place
            _sum = Checksum.Add(_sum, _label.AsSpan(0, kept));
            written = written[kept..];
        }
        _sum = Checksum.Add(_sum, written);

        if (block != totalBlocks - 1) return 0;
        board.Printf($"\n\rflash checksum 0x{_sum,8:x} attached checksum 0x{attachedChecksum,8:x}");
        if (attachedChecksum != _sum)
        {
            board.Printf($"\n\r[{Function}] The checksume is wrong!\n\r");
            return -1;
        }
        board.Printf($"\n\r[{Function}] Append FW label");
        board.Flash.Program(_address, _label);
        await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
        var readBack = board.Flash.Read(_address, Pro2Manifest.LabelSize);
        board.Printf($"\n\r[{Function}] FW label:\n\r");
        board.Printf(string.Concat(readBack.Select(b => $" {b:X2}")));
        board.Printf("\n\r");
        return 0;
    }
}
